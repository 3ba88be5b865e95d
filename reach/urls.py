from django.urls import path

from reach import views

app_name = "reach"

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

# Joined into the tasks: namespace by config/urls.py.
task_patterns = [
    path("<int:task_id>/calendar.ics", views.task_ics, name="calendar"),
]
