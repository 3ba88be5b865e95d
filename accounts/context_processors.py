"""What the navigation bar needs on every page: is the person staff anywhere, unread notifications,
which tab is current, which "mine" tab they get (claims for volunteers, needs for residents) and
whether 长辈模式 (large text) is on."""

import re

from django.utils.functional import SimpleLazyObject

from accounts.models import Guardian, Membership
from accounts.selectors import my_roles, unread_count
from core.largetext import large_text_on

# The first path prefix that matches names the current tab (bottom bar on phones, menu on desktop).
TAB_PREFIXES = [
    ("/needs/new/", "mine"),
    ("/tasks/", "tasks"), ("/points/", "points"), ("/rewards/", "points"), ("/redemptions/", "points"), ("/communities/", "communities"),
    ("/accounts/profile/", "me"), ("/notifications/", "me"), ("/accounts/login/", "me"), ("/accounts/register/", "me"),
]


def current_tab(path: str) -> str:
    if path == "/":
        return "home"
    if path in ("/claims/", "/needs/"):  # my claims, my needs
        return "mine"
    if path.startswith("/communities/") and "/rewards/" in path:
        return "points"
    for prefix, tab in TAB_PREFIXES:
        if path.startswith(prefix):
            return tab
    return ""


# The desktop menu has more items than the phone's tab bar: the first matching pattern names the
# item it marks (aria-current), so the workbench is not "Communities" and a staff member's list of
# residents' needs is not "My claims".
MENU_ITEMS = [
    # The points counter and the assistance inbox are staff desks reached from the workbench (#28).
    (re.compile(r"^/communities/\d+/(workbench|points|assistance)/"), "workbench"),
    (re.compile(r"^/(district/dashboard/|communities/\d+/dashboard/)"), "dashboard"),
    (re.compile(r"^/claims/queue/"), "queue"),
    (re.compile(r"^/(claims/|volunteers/)"), "claims"),
    (re.compile(r"^/needs/"), "needs"),
    (re.compile(r"^/assistance/"), "relief"),
    (re.compile(r"^/deliberation/"), "deliberation"),  # (#32)
    (re.compile(r"^/(feedback/|communities/\d+/feedback/)"), "feedback"),
    (re.compile(r"^/organizations/"), "organizations"),
    (re.compile(r"^/projects/"), "projects"),
    (re.compile(r"^/notifications/"), "notifications"),
    (re.compile(r"^/(points/|rewards/|redemptions/|communities/\d+/rewards/)"), "points"),
    (re.compile(r"^/tasks/"), "tasks"),
    (re.compile(r"^/communities/"), "communities"),
    (re.compile(r"^/accounts/(profile|login|register)/"), "me"),
]


def current_menu_item(path: str) -> str:
    if path == "/":
        return "home"
    return next((item for pattern, item in MENU_ITEMS if pattern.match(path)), "")


def mine_tab(roles: set[str], *, looks_after_someone: bool = False) -> str:
    """A person who is a resident somewhere and a volunteer nowhere is shown their needs; so is a
    guardian who is a member nowhere (the needs page lists the needs of those they look after)."""
    if "resident" in roles and "volunteer" not in roles:
        return "needs"
    return "needs" if not roles and looks_after_someone else "claims"


def navigation(request):
    path = getattr(request, "path", "/")
    large = hasattr(request, "COOKIES") and large_text_on(request)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "nav_tab": current_tab(path), "nav_item": current_menu_item(path), "large_text": large}

    def compute():
        # The person's roles (shared with the page when it read their memberships: ``my_roles``)
        # answer "staff anywhere?", which "mine" tab, and whose workbench the menu opens (the lowest
        # community id they staff, as ``first_staff_community_id`` says).
        rows = my_roles(user)
        roles = {role for role, _community in rows}
        workbench = None if user.is_superuser else min((c for role, c in rows if role == Membership.Role.STAFF), default=None)
        # Asked only of people who are a member nowhere (a family member who only looks after an elder).
        looks_after_someone = not roles and Guardian.objects.filter(guardian=user, accepted_at__isnull=False).exists()
        return {
            "is_staff": user.is_superuser or Membership.Role.STAFF in roles, "workbench": workbench, "unread": unread_count(user),
            "mine": mine_tab(roles, looks_after_someone=looks_after_someone),
        }

    # Lazy: pages that never render the navigation (JSON, redirects) run no query for it.
    return {"nav": SimpleLazyObject(compute), "nav_tab": current_tab(path), "nav_item": current_menu_item(path), "large_text": large}
