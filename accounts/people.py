"""Finding a person without typing a username: the member picker of every staff form.

A worker types part of a name, the last digits of a phone or a volunteer number; the server
answers with the members of the communities the worker staffs that match (the district admin:
everyone). Beyond that circle only an exact phone number, volunteer number or username finds a
person, as a payment app finds a payee, and then with the name partly masked (张*明): knowing the
number proves the searcher already knows the person; nobody browses strangers.

The same search answers the picker's script (``/people/search/``) and the forms without script
(``PersonField``: one match is taken, several are offered as a choice, none is an error), so one
rule decides who may be found.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership, User
from accounts.selectors import my_memberships, staff_communities
from core.errors import NotFound, ValidationFailed
from core.masking import mask_name, mask_phone

SEARCH_LIMIT = 10


@dataclass(frozen=True)
class Found:
    user: User
    label: str
    outside: bool = False  # found by an exact number, outside the communities the searcher staffs

    @property
    def name(self) -> str:
        """The name as the searcher may read it (masked for someone found by number only)."""
        return mask_name(self.user.shown_name) if self.outside else self.user.shown_name


def person_label(user: User, *, full_name: bool) -> str:
    """Name · masked phone · volunteer number: enough to tell two 王秀英 apart, no more."""
    name = user.shown_name if full_name else mask_name(user.shown_name)
    parts = [name]
    if user.phone:
        parts.append(mask_phone(user.phone))
    number = getattr(getattr(user, "volunteer_number", None), "number", None)
    if number:
        parts.append(number)
    return " · ".join(parts)


def _circle(viewer, *, community_id: int | None, roles) -> Q | None:
    """Whom ``viewer`` may find by part of a name: members of the communities they staff (narrowed
    to one community and some roles when the form needs that). None: nobody."""
    if not viewer.is_authenticated:
        return None
    member = Q()
    if community_id is not None:
        member &= Q(memberships__community_id=community_id)
    if roles:
        member &= Q(memberships__role__in=list(roles))
    if viewer.is_superuser:
        return member if member else Q(pk__isnull=False)
    staffed = Q(memberships__community_id__in=staff_communities(viewer))
    if community_id is not None:
        if not Membership.objects.filter(user=viewer, community_id=community_id, role=Membership.Role.STAFF).exists():
            return None
        staffed = Q()
    return member & staffed if staffed else member


def _membership_filter(community_id: int | None, roles) -> dict:
    """One membership (one join) that is in that community and holds one of those roles."""
    wanted = {}
    if community_id is not None:
        wanted["memberships__community_id"] = community_id
    if roles:
        wanted["memberships__role__in"] = list(roles)
    return wanted


def people_search(viewer, query: str, *, community_id: int | None = None, roles=(), limit: int = SEARCH_LIMIT) -> list[Found]:
    """The people ``viewer`` may pick who match ``query``: at most ``limit``, by name."""
    q = " ".join((query or "").split())
    if not q or not viewer.is_authenticated:
        return []
    base = User.objects.filter(is_active=True, closed_at__isnull=True).select_related("volunteer_number")
    digits = q.replace(" ", "").replace("-", "")
    exact = Q(username__iexact=q) | Q(volunteer_number__number__iexact=q)
    if digits.isdigit() and len(digits) >= 7:
        exact |= Q(phone=digits)
    found: dict[int, Found] = {}
    circle = _circle(viewer, community_id=community_id, roles=roles)
    if circle is not None:
        partial = Q(display_name__icontains=q) | Q(username__istartswith=q) | exact
        if digits.isdigit() and len(digits) >= 4:
            partial |= Q(phone__endswith=digits) | Q(volunteer_number__number__endswith=digits)
        for user in base.filter(circle).filter(partial).distinct().order_by("display_name", "username")[: limit + 1]:
            found[user.pk] = Found(user, person_label(user, full_name=True))
    if len(found) <= limit:
        # Outside the circle: only an exact number or username, and the name masked. A form that
        # needs a member of one community still checks membership in its service.
        outside = base.filter(exact).filter(**_membership_filter(community_id, roles))
        for user in outside.distinct()[:3]:
            found.setdefault(user.pk, Found(user, person_label(user, full_name=False), outside=True))
    return list(found.values())[: limit + 1]


def person_get(viewer, user_id, *, community_id: int | None = None, roles=()) -> Found | None:
    """The person with that id as ``viewer`` may see them: in the circle with their full name, else
    with the name masked (the form then takes them only if the box still shows that label, i.e.
    they were found by an exact number). None: no such person for this form."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    if not viewer.is_authenticated:
        return None
    base = User.objects.filter(pk=pk, is_active=True, closed_at__isnull=True).select_related("volunteer_number")
    circle = _circle(viewer, community_id=community_id, roles=roles)
    if circle is not None:
        user = base.filter(circle).first()
        if user is not None:
            return Found(user, person_label(user, full_name=True))
    user = base.filter(**_membership_filter(community_id, roles)).first()
    return Found(user, person_label(user, full_name=False), outside=True) if user else None


def guardian_candidate(viewer, *, who: str | None, user_id: int | None) -> User:
    """The person a resident names as guardian, found by the people search's rule for someone
    outside one's circle: a whole phone number or volunteer number (``who``); a bare ``user_id`` is
    refused (400 ``required``), as walking ids would list the people of the site; given with ``who``
    it must name the same person. 404 ``user_not_found`` otherwise, the
    same answer for "nobody" and "not findable", so ids cannot be walked to learn who exists."""
    if not who:
        raise ValidationFailed(_("Type their whole phone number or volunteer number."), code="required", field="who")
    base = User.objects.filter(is_active=True, closed_at__isnull=True)
    q = "".join(str(who).split()).replace("-", "")
    exact = Q(volunteer_number__number__iexact=q)
    if q.isdigit() and len(q) >= 7:
        exact |= Q(phone=q)
    matches = list(base.filter(exact).distinct()[:2])
    if user_id is not None:
        matches = [u for u in matches if u.pk == user_id]
    if len(matches) != 1:
        raise NotFound(_("Nobody found. Type their whole phone number or volunteer number."), code="user_not_found", field="who")
    return matches[0]


def searches_by_name(viewer, community_id: int | None = None) -> bool:
    """Whether ``viewer`` finds people by part of a name (staff of the community, or of any when
    the form names none; the district admin), or only by a whole number. For the words of the
    box only: who is found is ``people_search``'s rule. Reads the memberships the navigation reads."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.is_superuser:
        return True
    return any(m.role == Membership.Role.STAFF and (community_id is None or m.community_id == community_id) for m in my_memberships(viewer))


class PersonPicker(forms.Widget):
    """A text box the worker types into, with the chosen person's id beside it. Without script the
    form's server answer does the search (several matches come back as radio buttons); with
    ``static/js/picker.js`` the box lists matches as one types, from ``/people/search/``."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search_params: dict = {}
        self.candidates: list[Found] = []
        self.chosen: Found | None = None
        # Staff find their members by part of a name; anyone else only by a whole number, and the
        # box says so (``searches_by_name``).
        self.by_name = True

    def value_from_datadict(self, data, files, name):
        return {"q": data.get(name, ""), "id": data.get(f"{name}_pick") or data.get(f"{name}_id", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        text, chosen_id = "", ""
        if isinstance(value, dict):
            text, chosen_id = value.get("q", ""), value.get("id", "")
        elif isinstance(value, Found):
            text, chosen_id = value.label, value.user.pk
        if self.chosen is not None:
            text, chosen_id = self.chosen.label, self.chosen.user.pk
        if self.candidates:
            chosen_id = ""
        list_id = f"{final.get('id', name)}-list"
        box = {
            **final, "type": "text", "name": name, "value": text, "autocomplete": "off",
            "placeholder": _("Name, last 4 digits of the phone, or volunteer number") if self.by_name else _("Whole phone number or volunteer number"),
            "aria-describedby": f"{final.get('id', name)}-hint",
        }
        choices = ""
        if self.candidates:
            choices = format_html(
                '<fieldset class="picker-choices"><legend>{}</legend>{}</fieldset>',
                _("Which one?"),
                format_html_join(
                    "", '<label class="choice"><input type="radio" name="{}_pick" value="{}"> {}</label>',
                    ((name, f.user.pk, f.label) for f in self.candidates),
                ),
            )
        return format_html(
            '<div class="person-picker" data-picker-url="{}" data-empty="{}"><input{}><input type="hidden" name="{}_id" value="{}">'
            '<small class="help" id="{}-hint">{}</small><ul class="picker-list" id="{}" role="listbox" hidden></ul>{}</div>',
            f"{reverse('people_search')}?{urlencode(self.search_params)}", _("Nobody found."), flatatt(box), name, chosen_id,
            final.get("id", name),
            _("Type a name, the last 4 digits of a phone or a volunteer number.") if self.by_name else _("Type their whole phone number or volunteer number."),
            list_id, choices,
        )


class PersonField(forms.Field):
    """A person picked by a worker: ``form.fields[name].limit_to(viewer, community_id=..., roles=...)``
    before validating. Cleans to a ``User`` (or None when not required and left empty)."""

    widget = PersonPicker

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = None
        self.community_id = None
        self.roles = ()
        self.found: Found | None = None  # after cleaning: whom the worker picked, and how to name them

    def limit_to(self, viewer, *, community_id: int | None = None, roles=()) -> "PersonField":
        self.viewer, self.community_id, self.roles = viewer, community_id, tuple(roles)
        params = {"community": community_id} if community_id else {}
        if roles:
            params["roles"] = ",".join(roles)
        self.widget.search_params = params
        self.widget.by_name = searches_by_name(viewer, community_id)
        return self

    def prepare_value(self, value):
        if isinstance(value, User):
            return Found(value, person_label(value, full_name=True))
        return value

    def clean(self, value):
        value = value if isinstance(value, dict) else {"q": str(value or ""), "id": ""}
        q = " ".join(str(value.get("q") or "").split())
        picked = str(value.get("id") or "").strip()
        if not q and not picked:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if self.viewer is None:
            return None
        if picked:
            found = person_get(self.viewer, picked, community_id=self.community_id, roles=self.roles)
            if found is not None and (q == found.label or (not found.outside and (not q or any(f.user.pk == found.user.pk for f in self._search(q))))):
                self.widget.chosen = self.found = found
                return found.user
        results = self._search(q)
        if len(results) == 1:
            self.widget.chosen = self.found = results[0]
            return results[0].user
        if not results:
            hint = (
                _("Nobody found for “%(q)s”. Try part of the name, the last 4 digits of the phone or the volunteer number.")
                if self.widget.by_name else _("Nobody found for “%(q)s”. Type their whole phone number or volunteer number.")
            )
            raise ValidationError(hint, code="person_not_found", params={"q": q})
        self.widget.candidates = results[:SEARCH_LIMIT]
        if len(results) > SEARCH_LIMIT:
            raise ValidationError(
                _("More than %(n)d people match “%(q)s”: choose one below or type more."), code="person_ambiguous",
                params={"n": SEARCH_LIMIT, "q": q},
            )
        raise ValidationError(
            ngettext("%(n)d person matches “%(q)s”: choose one below.", "%(n)d people match “%(q)s”: choose one below.", len(results)),
            code="person_ambiguous", params={"n": len(results), "q": q},
        )

    def _search(self, q: str) -> list[Found]:
        return people_search(self.viewer, q, community_id=self.community_id, roles=self.roles)
