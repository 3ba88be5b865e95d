"""What the navigation bar needs on every page: is the person staff anywhere, unread notifications."""

from django.utils.functional import SimpleLazyObject

from accounts.selectors import is_any_staff, unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def compute():
        return {"is_staff": is_any_staff(user), "unread": unread_count(user)}

    # Lazy: pages that never render the navigation (JSON, redirects) run no query for it.
    return {"nav": SimpleLazyObject(compute)}
