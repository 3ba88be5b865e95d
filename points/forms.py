"""Forms only parse and label input; the rules are in points.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.people import PersonField


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cost = forms.IntegerField(label=_("Cost in points"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=1_000_000)
    per_person_limit = forms.IntegerField(label=_("Limit per person"), min_value=1, required=False, help_text=_("Empty: no limit."))
    active_from = forms.DateTimeField(
        label=_("Available from"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    active_to = forms.DateTimeField(label=_("Available until"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    picture = forms.FileField(label=_("Picture"), required=False, help_text=_("JPEG, PNG or WebP, at most 2 MB."))
    is_active = forms.BooleanField(label=_("On the shelf"), required=False, initial=True)


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)


class FulfilForm(forms.Form):
    code = forms.CharField(label=_("Pickup code"), max_length=20)


class RuleForm(forms.Form):
    daily_cap = forms.IntegerField(label=_("Daily cap per person"), min_value=1, required=False, help_text=_("Empty: no cap."))
    lifetime_cap = forms.IntegerField(label=_("Lifetime cap per person"), min_value=1, required=False, help_text=_("Empty: no cap."))
    reservation_days = forms.IntegerField(label=_("Days to pick up a reward"), min_value=1, max_value=365)


class AwardForm(forms.Form):
    person = PersonField(label=_("Person"), help_text=_("A member of this community."))
    amount = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)
    reason = forms.CharField(label=_("What for"), max_length=200)

    def __init__(self, *args, viewer=None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].limit_to(viewer, community_id=community.pk if community else None)


class BudgetForm(forms.Form):
    amount = forms.IntegerField(label=_("Points to budget"), min_value=1, max_value=1_000_000_000)
    memo = forms.CharField(label=_("Note"), max_length=200, required=False)


class TransferForm(forms.Form):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    to_person = PersonField(
        label=_("Give to"), required=False,
        help_text=_("Leave it empty to give the points back to the community pool."),
    )
    amount = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)

    def __init__(self, *args, communities=(), viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["to_person"].limit_to(viewer)
