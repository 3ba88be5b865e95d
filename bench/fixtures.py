"""Small set-ups the load run needs, made through the product's own services.

    DATABASE_URL=... python bench/fixtures.py info
    DATABASE_URL=... python bench/fixtures.py storm --people 200 --slots 10 --tokens FILE
    DATABASE_URL=... python bench/fixtures.py count --task ID
    DATABASE_URL=... python bench/fixtures.py fanout --rounds 3
    DATABASE_URL=... python bench/fixtures.py signed_in

Each prints one JSON object on its last line.
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

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import Community, Membership, User  # noqa: E402
from accounts.services import token_create  # noqa: E402
from marketplace.models import Task  # noqa: E402
from marketplace.services import TaskFields, task_create  # noqa: E402
from orders.models import Claim  # noqa: E402


def busiest_community() -> Community:
    """The community with the most tasks (ties: the first), so every figure reads a full page."""
    row = Task.objects.values("community_id").annotate(n=Count("id")).order_by("-n", "community_id").first()
    return Community.objects.get(pk=row["community_id"])


def staff_of(community: Community) -> User:
    return Membership.objects.filter(community=community, role="staff").select_related("user").first().user


def new_task(community: Community, *, slots: int, title: str) -> Task:
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    fields = TaskFields(
        title=title, description="基准测试用任务", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=2),
        location="社区服务站", slots=slots, points=10, skills=[], beneficiary=None,
    )
    return task_create(actor=staff_of(community), community=community, fields=fields, draft=False)


def volunteers(community: Community, n: int, prefix: str) -> list[str]:
    """n new volunteers of the community, each with an API token; returns the tokens."""
    stamp = timezone.now().strftime("%H%M%S%f")
    users = User.objects.bulk_create([User(username=f"{prefix}{stamp}_{i}", password="!") for i in range(n)])
    Membership.objects.bulk_create([Membership(user=u, community=community, role="volunteer") for u in users])
    return [token_create(user=u) for u in users]


def signed_in() -> dict:
    """The busiest volunteer of the busiest community (most claims), with an API token and a
    signed-in session, as a browser holds it after logging in."""
    from importlib import import_module  # noqa: PLC0415 - the session engine is a setting

    community = busiest_community()
    row = (
        Claim.objects.filter(task__community=community, user__memberships__community=community, user__memberships__role="volunteer")
        .values("user_id").annotate(n=Count("id")).order_by("-n", "user_id").first()
    )
    user = User.objects.get(pk=row["user_id"])
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    # A browser that signed in holds the CSRF cookie the login form gave it, as well as the session.
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"
    return {"user": user.pk, "claims": row["n"], "token": token_create(user=user), "cookie": cookie}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["info", "storm", "count", "fanout", "signed_in"])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--slots", type=int, default=10)
    parser.add_argument("--tokens")
    parser.add_argument("--task", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.what == "info":
        community = busiest_community()
        print(json.dumps({"community": community.pk, "category": "elder_care", "q": "理发", "tasks": Task.objects.count()}))
    elif args.what == "storm":
        community = busiest_community()
        task = new_task(community, slots=args.slots, title="基准测试：抢单")
        tokens = volunteers(community, args.people, "storm")
        Path(args.tokens).write_text("\n".join(tokens) + "\n")
        print(json.dumps({"task": task.pk}))
    elif args.what == "count":
        task = Task.objects.get(pk=args.task)
        live = Claim.objects.filter(task=task, status__in=Claim.LIVE).count()
        print(json.dumps({"live_claims": live, "slots_taken": task.slots_taken, "slots": task.slots, "status": task.status}))
    elif args.what == "fanout":
        community = busiest_community()
        tasks = [new_task(community, slots=5, title=f"基准测试：广播 {i + 1}").pk for i in range(args.rounds)]
        print(json.dumps({"community": community.pk, "tasks": tasks, "tokens": volunteers(community, args.rounds, "fan")}))
    elif args.what == "signed_in":
        print(json.dumps(signed_in()))


if __name__ == "__main__":
    main()
