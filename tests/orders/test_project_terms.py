"""A project's terms (deadline, budget, criteria weights) cannot move once a bid exists, in the
service or the admin, and every admin change is in its history (#19.4, docs/security.md)."""

from datetime import timedelta

import pytest

from tests.conftest import browser
from tests.test_private_uploads import on_disk, sealed_bid  # noqa: F401 (fixtures)


# --- 4. A project's terms lock once a bid exists; every admin change is in its history ----------------
class _FormFields(__import__("html.parser").parser.HTMLParser):
    """The fields a browser would send from the admin's change form, as the page shows them."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.data[name] = "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def _admin_form(client, url) -> dict:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_the_admin_cannot_move_a_deadline_or_budget_or_weights_once_a_bid_exists(sealed_bid, superuser):
    from django.utils import timezone

    from marketplace.models import ProjectCriterion

    bid, _admin = sealed_bid
    project = bid.project
    deadline, budget = project.bid_deadline, project.budget
    client = browser(superuser, language="en")
    url = f"/admin/marketplace/project/{project.pk}/change/"
    data = _admin_form(client, url)
    assert "bid_deadline_0" not in data and "budget" not in data  # shown read-only
    # A forged post (or a form opened before the bid came in) changes none of them either.
    early = timezone.localtime() - timedelta(hours=1)
    data.update({"bid_deadline_0": early.strftime("%Y-%m-%d"), "bid_deadline_1": early.strftime("%H:%M:%S"), "budget": "1"})
    client.post(url, data)
    project.refresh_from_db()
    assert (project.bid_deadline, project.budget) == (deadline, budget)
    assert not project.bidding_closed()  # the sealed bid stays sealed
    assert list(ProjectCriterion.objects.filter(project=project).values_list("weight", flat=True)) == [40, 30, 30]


def test_the_service_refuses_to_change_the_terms_once_a_bid_exists(sealed_bid, staff):
    from core.errors import Conflict
    from orders.services import project_change_terms

    bid, _admin = sealed_bid
    with pytest.raises(Conflict) as exc:
        project_change_terms(actor=staff, project=bid.project, criteria=[("报价", 100)])
    assert exc.value.code == "project_terms_locked"
    assert bid.project.criteria.count() == 3


def test_every_admin_change_of_a_project_is_in_its_history(superuser, staff, community):
    from django.utils import timezone

    from marketplace.models import Project, ProjectStatusChange
    from marketplace.services import project_create

    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=3))
    client = browser(superuser, language="en")
    url = f"/admin/marketplace/project/{project.pk}/change/"
    data = _admin_form(client, url)
    data.update({"budget": "2000000", "criteria-0-weight": "30", "criteria-1-weight": "40"})
    assert client.post(url, data).status_code == 302
    assert Project.objects.get(pk=project.pk).budget == 2_000_000  # no bid yet: allowed
    change = ProjectStatusChange.objects.filter(project=project).last()
    assert change.actor == superuser
    assert "budget" in change.note.lower() and "30%" in change.note


