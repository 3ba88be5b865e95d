"""The member picker's search, answered as JSON while one types."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from accounts import people
from accounts.models import Membership


def people_search(request):
    """The member picker's answers as one types (``static/js/picker.js``): the same search as the
    forms' own lookup (``accounts.people``), so the script can find nobody the form would refuse."""
    if not request.user.is_authenticated:
        return JsonResponse({"results": [], "detail": _("Please log in first.")}, status=401)
    community_id = request.GET.get("community") or None
    if community_id is not None and not community_id.isdigit():
        return JsonResponse({"results": [], "detail": _("Unknown community.")}, status=400)
    roles = [r for r in request.GET.get("roles", "").split(",") if r in Membership.Role.values]
    found = people.people_search(request.user, request.GET.get("q", "")[:60], community_id=int(community_id) if community_id else None, roles=roles)
    return JsonResponse({"results": [{"id": f.user.pk, "label": f.label} for f in found[: people.SEARCH_LIMIT]]})
