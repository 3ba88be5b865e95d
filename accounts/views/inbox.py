"""The notifications page: a person's notifications, marked read as they are shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.selectors import user_notifications
from accounts.services import notifications_mark_read
from core.paging import page_of


@login_required
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(actor=request.user)
        messages.success(request, _("All marked as read."))
        return redirect("notifications")
    page = page_of(request, user_notifications(request.user), long=True)
    shown = list(page.object_list)  # read before marking, so this visit still shows which were new
    has_unread = any(n.read_at is None for n in shown)
    # Opening the page is reading them: the menu's count goes back to zero (one UPDATE, always).
    notifications_mark_read(actor=request.user)
    return render(request, "notifications.html", {"page": page, "notifications": shown, "has_unread": has_unread})
