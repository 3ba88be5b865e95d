"""Forms only parse and label input; the rules are in marketplace.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Category, Task


class TaskFilterForm(forms.Form):
    """The board's filter bar; its field names are the FilterSet's, so the query string is shared."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All categories"))] + list(Category.choices))
    has_slots = forms.BooleanField(label=_("Free slots only"), required=False)
    skill = forms.CharField(label=_("Skill"), required=False, max_length=40)
    starts_after = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    starts_before = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All communities"))] + [(c.pk, c.name) for c in communities]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("Place"), max_length=200)
    slots = forms.IntegerField(label=_("Slots"), min_value=1, max_value=500, initial=1)
    points = forms.IntegerField(label=_("Points per verified slot"), min_value=0, max_value=10_000, initial=10)
    skills = forms.CharField(label=_("Wanted skills"), required=False, max_length=400, help_text=_("Separate with commas"))
    beneficiary = forms.CharField(label=_("Beneficiary (username)"), required=False, max_length=150, help_text=_("The resident the service is for."))
    draft = forms.BooleanField(label=_("Save as a draft"), required=False)

    def skill_list(self) -> list[str]:
        raw = self.cleaned_data.get("skills", "").replace("，", ",").replace("、", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]

    @classmethod
    def initial_from(cls, task: Task) -> dict:
        from django.utils import timezone

        fmt = "%Y-%m-%dT%H:%M"
        return {
            "title": task.title,
            "category": task.category,
            "description": task.description,
            "starts_at": timezone.localtime(task.starts_at).strftime(fmt),
            "ends_at": timezone.localtime(task.ends_at).strftime(fmt),
            "location": task.location,
            "slots": task.slots,
            "points": task.points,
            "skills": ", ".join(s.name for s in task.skills.all()),
            "beneficiary": task.beneficiary.username if task.beneficiary else "",
        }
