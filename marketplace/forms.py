"""Forms only parse and label input; the rules are in marketplace.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.people import PersonField
from core.pages import add_error_to_form
from core.widgets import LongSelect
from marketplace.models import Category, ConsultationCategory, Need, ProjectCriterion, Task, TaskSeries
from marketplace.services import Repeat, TaskFields, task_fields_problems


class TaskFilterForm(forms.Form):
    """The board's filter bar; its field names are the FilterSet's, so the query string is shared."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None, widget=LongSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All categories"))] + list(Category.choices))
    has_slots = forms.BooleanField(label=_("Free slots only"), required=False)
    skill = forms.CharField(label=_("Skill"), required=False, max_length=40)
    starts_after = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    starts_before = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, communities=(), **kwargs):
        """``communities``: (id, name) pairs, in the order the list shows them."""
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All communities"))] + [(pk, name) for pk, name in communities]


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
    beneficiary = PersonField(label=_("Beneficiary"), required=False, help_text=_("The resident the service is for (a resident of this community)."))
    draft = forms.BooleanField(label=_("Save as a draft"), required=False)

    def __init__(self, *args, viewer=None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The picker finds residents of this community only, and only for its staff.
        self.fields["beneficiary"].limit_to(viewer, community_id=community.pk if community else None, roles=("resident",))

    def skill_list(self) -> list[str]:
        raw = self.cleaned_data.get("skills", "").replace("，", ",").replace("、", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]

    def to_fields(self):
        """The cleaned form as the service's TaskFields. On a form with errors, the fields that did
        parse (the others None), so the service's rules can still be checked on them: every error
        of one submission shows at once."""
        data = self.cleaned_data
        return TaskFields(
            title=data.get("title", ""), description=data.get("description", ""), category=data.get("category"),
            starts_at=data.get("starts_at"), ends_at=data.get("ends_at"), location=data.get("location", ""),
            slots=data.get("slots"), points=data.get("points"), skills=self.skill_list(), beneficiary=data.get("beneficiary"),
        )

    def is_valid_for(self, community) -> bool:
        """Whether the form is valid; if not, the service's rules are checked on the fields that
        did parse too, so one submission shows every error (not one more per try)."""
        if self.is_valid():
            return True
        problems = task_fields_problems(community, self.to_fields())
        if problems:
            problems[0].also = problems[1:]
            add_error_to_form(self, problems[0])
        return False

    @classmethod
    def initial_from(cls, task: Task) -> dict:
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
            "beneficiary": task.beneficiary,
        }


class TaskCreateForm(TaskForm):
    """Posting a task, once or as a series (the repeat section)."""

    repeat_every = forms.ChoiceField(
        label=_("Repeat"), required=False, choices=[("", _("Does not repeat"))] + list(TaskSeries.Every.choices),
        help_text=_("Post the same task every day or every week, all at once."),
    )
    repeat_count = forms.IntegerField(label=_("How many times in all"), required=False, min_value=2, max_value=52, help_text=_("2 to 52, this one included."))

    def clean(self):
        data = super().clean()
        if data.get("repeat_every") and not data.get("repeat_count"):
            self.add_error("repeat_count", _("Say how many times the task takes place (2 to 52)."))
        return data

    def repeat(self) -> Repeat | None:
        every = self.cleaned_data.get("repeat_every")
        return Repeat(every=every, count=self.cleaned_data["repeat_count"]) if every else None


class TaskEditForm(TaskForm):
    """Editing a task; for one of a series, this occurrence or the rest of the series too."""

    scope = forms.ChoiceField(
        label=_("Change which occurrences?"), required=False, initial="this", widget=forms.RadioSelect,
        choices=[("this", _("Only this one")), ("following", _("This one and the rest of the series"))],
    )


class NeedForm(forms.Form):
    title = forms.CharField(label=_("What do you need?"), max_length=120)
    description = forms.CharField(label=_("Details"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    urgency = forms.TypedChoiceField(label=_("How urgent?"), coerce=int, choices=[], initial=2)
    anonymous = forms.BooleanField(label=_("Hide my name from other residents"), required=False)
    # Staff posting for a resident without a phone (代办): the form they open from the resident's
    # record or the community page, with the resident picked by name; the service checks who may.
    on_behalf_of = PersonField(label=_("For which resident"), required=False)
    consent_note = forms.CharField(label=_("How the resident agreed (consent note)"), required=False, max_length=200)

    def __init__(self, *args, assisted: bool = False, viewer=None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].choices = Need.Urgency.choices
        if not assisted:
            del self.fields["on_behalf_of"], self.fields["consent_note"]
        else:
            self.fields["on_behalf_of"].required = True
            self.fields["on_behalf_of"].limit_to(viewer, community_id=community.pk if community else None, roles=("resident",))
            # The resident first: whom the need is for is the first thing staff check.
            self.order_fields(["on_behalf_of", "consent_note"])

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("on_behalf_of") is not None:
            data["on_behalf_of"] = data["on_behalf_of"].pk
        return data


class TriageForm(forms.Form):
    track = forms.ChoiceField(label=_("Track"), choices=[])
    reply = forms.CharField(label=_("Reply to the resident"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.CharField(label=_("Referred to (department)"), required=False, max_length=120, help_text=_("Required for a major matter."))
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organisations that offer this service"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("For a private matter: verified organisations the resident may contact."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = Need.Track.choices
        self.fields["organizations"].queryset = Organization.objects.filter(status=Organization.Status.VERIFIED).order_by("name")


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=120)
    # Pengshui's list of what residents deliberate (#32).
    category = forms.ChoiceField(label=_("Category"), choices=ConsultationCategory.choices, initial=ConsultationCategory.OTHER, required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    options = forms.CharField(
        label=_("Options"), max_length=1300, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One per line, 2 to 10."),
        initial="同意\n不同意\n弃权",
    )
    closes_at = forms.DateTimeField(label=_("Voting closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    budget_yuan = forms.DecimalField(label=_("Budget (yuan)"), min_value=0.01, max_digits=12, decimal_places=2)
    bid_deadline = forms.DateTimeField(label=_("Bid deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    service_starts = forms.DateField(label=_("Service starts"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    service_ends = forms.DateField(label=_("Service ends"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    criteria = forms.CharField(
        label=_("Evaluation criteria"), max_length=600, widget=forms.Textarea(attrs={"rows": 3}),
        initial="服务方案 40\n经验与团队 30\n报价 30", help_text=_("One per line: name and weight in %, adding up to 100."),
    )
    track_record_weight = forms.IntegerField(
        label=_("Weight of the organisation's track record (%)"), min_value=0, max_value=100, required=False, initial=0,
        help_text=_("0 leaves it out. Scored from its services confirmed by the people served, its ratings and its completed contracts; part of the 100%."),
    )
    required_documents = forms.CharField(label=_("Required documents"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def criteria_list(self) -> list[tuple]:
        rows = self._typed_criteria()
        if self.cleaned_data.get("track_record_weight"):
            rows.append((gettext("Track record"), self.cleaned_data["track_record_weight"], ProjectCriterion.Kind.TRACK_RECORD))
        return rows

    def _typed_criteria(self) -> list[tuple]:
        rows = []
        for line in self.cleaned_data["criteria"].splitlines():
            parts = line.replace("%", " ").split()
            if not parts:
                continue
            weight = int(parts[-1]) if parts[-1].isdigit() else 0
            rows.append((" ".join(parts[:-1]) if weight else " ".join(parts), weight))
        return rows

    def budget_fen(self) -> int:
        return int(self.cleaned_data["budget_yuan"] * 100)
