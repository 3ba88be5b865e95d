from django.urls import path

import core.converters  # noqa: F401  (registers the strict "token" converter)
from reach import views

app_name = "reach"

urlpatterns = [
    path("calendar/<token:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("email/unsubscribe/<token:token>/", views.unsubscribe, name="unsubscribe"),
]

# Joined into the tasks: namespace by config/urls.py.
task_patterns = [
    path("<int:task_id>/calendar.ics", views.task_ics, name="calendar"),
]
