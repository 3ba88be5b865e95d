"""What the navigation bar needs on every page: is the person staff anywhere, unread notifications."""

from django.utils.functional import SimpleLazyObject

from accounts.selectors import first_staff_community_id, unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def compute():
        # One query answers both "staff anywhere?" and "whose workbench does the menu open?".
        workbench = None if user.is_superuser else first_staff_community_id(user)
        return {"is_staff": user.is_superuser or workbench is not None, "workbench": workbench, "unread": unread_count(user)}

    # Lazy: pages that never render the navigation (JSON, redirects) run no query for it.
    return {"nav": SimpleLazyObject(compute)}
