"""What the busy-hour run (bench/busyhour.py) needs, made through the product's own services and
session store, written as one JSON file:

    DATABASE_URL=... REDIS_URL=... python bench/busy_fixtures.py --people 1000 --out FILE

- ``people``: distinct volunteers spread over the communities, each with points to spend in their
  community, a signed-in session (minted in the session store the server reads, as the login form
  would have left it) and a CSRF cookie; each holds a claim on a shift of their community that is
  on now (so they can check in, check out and submit), and knows an open task of their board;
- ``staff``: a signed-in staff member per community (bulk verification of submitted claims);
- ``rewards``: a reward on the shelf per community (the points supermarket), costing 1 point;
- ``pages``: the new pages of issue #35 at their fullest (the inbox of the community with the
  most applications and its staff session, a policy search, the week of the most booked room,
  the results of the budget with the most ballots).
Prints one JSON object (counts) on its last line.
"""

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import Community, Membership, User  # noqa: E402
from budgets.models import Ballot  # noqa: E402
from core.errors import ApplicationError  # noqa: E402
from marketplace.models import Task  # noqa: E402
from marketplace.services import TaskFields, task_create  # noqa: E402
from orders.models import Claim  # noqa: E402
from orders.services import claim_create  # noqa: E402
from points.models import PointsAccount, Reward  # noqa: E402
from relief.models import Application  # noqa: E402
from resources.models import Booking  # noqa: E402

SESSIONS = import_module(settings.SESSION_ENGINE).SessionStore


def session_for(user: User) -> dict:
    """A session as the login form leaves it, and the CSRF cookie the browser holds."""
    store = SESSIONS()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return {"user": user.pk, "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}", "csrf": csrf}


def staff_of(community_id: int) -> User:
    return Membership.objects.filter(community_id=community_id, role="staff").select_related("user").order_by("id").first().user


SHIFT_TITLE = "周六上午志愿服务（基准测试）"


def shift(community: Community, staff: User) -> Task:
    """A shift with a slot for every volunteer, published for later today; ``shift_now`` moves it
    to now once the volunteers have claimed it (a task that has started takes no claims)."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=6)
    fields = TaskFields(
        title=SHIFT_TITLE, description="签到、服务、签退", category="other", starts_at=start, ends_at=start + timedelta(hours=3),
        location="社区服务站", slots=500, points=10, skills=[], beneficiary=None,
    )
    return task_create(actor=staff, community=community, fields=fields, draft=False)


def people(n: int) -> list[tuple[int, int]]:
    """n people (not staff) with at least 5 points in their community, round-robin over the communities so
    every board is read; those not yet volunteers there sign up as volunteers (as the site lets
    any member do) so that they may claim."""
    rows = (
        PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, balance__gte=5).exclude(user__memberships__role="staff")  # staff's home is their workbench
        .order_by("user_id").values_list("user_id", "community_id")
    )
    by_community: dict[int, list[int]] = {}
    seen = set()
    for user_id, community_id in rows.iterator():
        if user_id not in seen:
            seen.add(user_id)
            by_community.setdefault(community_id, []).append(user_id)
    chosen: list[tuple[int, int]] = []
    while len(chosen) < n and any(by_community.values()):
        for community_id, users in by_community.items():
            if users and len(chosen) < n:
                chosen.append((users.pop(0), community_id))
    Membership.objects.bulk_create([Membership(user_id=u, community_id=c, role="volunteer") for u, c in chosen], ignore_conflicts=True)
    return chosen


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    # An earlier run's shifts (a district kept with --reuse) would overlap this run's: their claims end.
    Claim.objects.filter(task__title=SHIFT_TITLE).exclude(status=Claim.Status.WITHDRAWN).update(status=Claim.Status.WITHDRAWN)
    chosen = people(args.people)
    communities = {c.pk: c for c in Community.objects.filter(pk__in={c for _u, c in chosen})}
    users = User.objects.in_bulk([u for u, _c in chosen])
    now = timezone.now()
    staff, shifts, rewards, boards = {}, {}, {}, {}
    for community_id, community in communities.items():
        boss = staff_of(community_id)
        staff[community_id] = session_for(boss)
        shifts[community_id] = shift(community, boss).pk
        reward = Reward.objects.create(community=community, name="肥皂（基准测试）", cost=1, stock=1_000_000, created_by=boss)
        rewards[community_id] = reward.pk
        # Open tasks of the board, to come: what a volunteer opens and may claim.
        boards[community_id] = list(
            Task.objects.filter(community_id=community_id, status=Task.Status.OPEN, starts_at__gt=now + timedelta(days=1))
            .order_by("starts_at").values_list("id", flat=True)[:40]
        )
    out, shift_claims = [], 0
    for user_id, community_id in chosen:
        person = session_for(users[user_id])
        person.update(community=community_id, shift=None, tasks=boards[community_id], reward=rewards[community_id])
        try:
            claim = claim_create(actor=users[user_id], task=Task.objects.get(pk=shifts[community_id]))
            person["shift"] = {"claim": claim.pk, "task": shifts[community_id]}
            shift_claims += 1
        except ApplicationError:
            pass  # another of their claims overlaps the shift: they only read and claim
        out.append(person)
    # The morning has come: the shifts started 20 minutes ago (check-in is open) and last 3 hours.
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=20)
    Task.objects.filter(pk__in=shifts.values()).update(starts_at=start, ends_at=start + timedelta(hours=3))
    pages = new_pages()
    Path(args.out).write_text(json.dumps({"people": out, "staff": {str(k): v for k, v in staff.items()}, "pages": pages}))
    print(json.dumps({"people": len(out), "communities": len(communities), "shift_claims": shift_claims, "pages": {k: v["path"] for k, v in pages.items()}}))


def new_pages() -> dict:
    """The new pages of issue #35, each where it holds the most rows, with a session that may read it."""
    pages = {}
    row = Application.objects.values("community_id").annotate(n=Count("id")).order_by("-n", "community_id").first()
    if row:
        pages["assistance inbox"] = {"path": f"/communities/{row['community_id']}/assistance/", **session_for(staff_of(row["community_id"]))}
    row = Booking.objects.filter(status__in=Booking.HOLDING).values("venue_id").annotate(n=Count("id")).order_by("-n", "venue_id").first()
    resident = User.objects.filter(memberships__role="volunteer").order_by("id").first()
    if row:
        pages["a room's week"] = {"path": f"/resources/venues/{row['venue_id']}/", **session_for(resident)}
    pages["policy search"] = {"path": "/affairs/policies/?q=%E8%A1%A5%E8%B4%B4", **session_for(resident)}  # q=补贴
    row = Ballot.objects.values("budget_id").annotate(n=Count("id")).order_by("-n", "budget_id").first()
    if row:
        pages["a budget's results"] = {"path": f"/budgets/{row['budget_id']}/", **session_for(resident)}
    return pages


if __name__ == "__main__":
    main()
