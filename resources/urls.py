from django.urls import path

from resources import views, views_people, views_tasks

app_name = "resources"
urlpatterns = [
    path("venues/", views.venues, name="venues"),
    path("venues/<int:venue_id>/", views.venue, name="venue"),
    path("venues/<int:venue_id>/book/", views.book, name="book"),
    path("venues/<int:venue_id>/handovers/", views.handover_new, name="handover_new"),
    path("venues/<int:venue_id>/tasks/", views_tasks.venue_task, name="venue_task"),
    path("handovers/<int:handover_id>/end/", views.handover_end, name="handover_end"),
    path("bookings/", views.mine, name="mine"),
    path("bookings/<int:booking_id>/", views.booking, name="booking"),
    path("bookings/<int:booking_id>/<str:action>/", views.booking_decide, name="booking_decide"),
    path("manage/<int:community_id>/", views.manage, name="manage"),
    path("manage/<int:community_id>/venues/", views.venue_new, name="venue_new"),
    path("talents/", views_people.talents, name="talents"),
    path("talents/me/", views_people.talent_me, name="talent_me"),
    path("talents/<int:user_id>/invite/", views_people.talent_invite, name="talent_invite"),
    path("groups/", views_people.groups, name="groups"),
    path("groups/<int:organization_id>/", views_people.group, name="group"),
    path("groups/<int:organization_id>/file/", views_people.group_file, name="group_file"),
    path("groups/<int:organization_id>/activities/", views_tasks.activity_propose, name="activity_propose"),
    path("activities/<int:activity_id>/<str:action>/", views_tasks.activity_decide, name="activity_decide"),
    path("organizations/<int:organization_id>/annual-reports/", views_people.annual_reports, name="annual_reports"),
    path("annual-reports/<int:report_id>/review/", views_people.annual_review, name="annual_review"),
]
