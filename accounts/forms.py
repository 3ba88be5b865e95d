"""Forms only parse and label input; the rules are checked by accounts.services."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Community, Membership, Organization
from accounts.people import PersonField


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, help_text=_("Letters, digits and @ . + - _"))
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False, help_text=_("Optional: for resetting a forgotten password."))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False, help_text=_("Optional: for resetting a forgotten password."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    skills = forms.CharField(
        label=_("Skills"), max_length=800, required=False, help_text=_("Separate with commas, e.g. 陪护, 维修, 摄影")
    )
    bio = forms.CharField(label=_("About me"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def skill_list(self) -> list[str]:
        raw = self.cleaned_data.get("skills", "").replace("，", ",").replace("、", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]


class CommunityForm(forms.Form):
    name = forms.CharField(label=_("Community name"), max_length=60)
    street = forms.CharField(label=_("Street"), max_length=60)
    district = forms.CharField(label=_("District"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class JoinForm(forms.Form):
    role = forms.CharField(max_length=20)


class MemberAddForm(forms.Form):
    person = PersonField(label=_("Person"), help_text=_("Someone in a community you staff, or anyone by their whole phone number or volunteer number."))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].limit_to(viewer)


class ResidentFindForm(forms.Form):
    """Staff open a resident's record (to post a need for them, print their card, confirm a service)."""

    person = PersonField(label=_("Resident"))

    def __init__(self, *args, viewer=None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].limit_to(viewer, community_id=community.pk, roles=(Membership.Role.RESIDENT,))


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, help_text=_("18 characters, as printed on the registration certificate")
    )
    community = forms.ModelChoiceField(label=_("Home community"), queryset=None, required=False)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.select_related("street")


class OrganizationContactForm(forms.Form):
    contact_person = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Public phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
    )
    contact_address = forms.CharField(label=_("Public address"), max_length=200, required=False)


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class GuardianForm(forms.Form):
    """A resident names a guardian: found by their whole phone number or volunteer number (the
    name then shows partly masked, enough to see it is the right person)."""

    person = PersonField(label=_("Who?"))  # the box says how to find them

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].limit_to(viewer)


class OrganizationMemberForm(forms.Form):
    person = PersonField(label=_("Person"))  # the box says how to find them

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].limit_to(viewer)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class ResetPasswordForm(SetPasswordForm):
    """The new password from a reset link, set by ``accounts.services.password_set`` (as the API's
    confirm does): every token and session of the person ends."""

    def save(self, commit=True):
        services.password_set(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user
