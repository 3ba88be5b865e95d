from django.urls import path

from deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("communities/<int:community_id>/", views.home, name="home"),
    path("communities/<int:community_id>/stewards/", views.steward_appoint, name="steward_appoint"),
    path("communities/<int:community_id>/stewards/<int:user_id>/remove/", views.steward_remove, name="steward_remove"),
    path("communities/<int:community_id>/issues/", views.issue_collect, name="issue_collect"),
    path("communities/<int:community_id>/meetings/", views.meeting_call, name="meeting_call"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:meeting_id>/motions/", views.motion_put, name="motion_put"),
    path("meetings/<int:meeting_id>/minutes/", views.minutes, name="minutes"),
    path("motions/<int:motion_id>/vote/", views.vote, name="vote"),
    path("motions/<int:motion_id>/close/", views.motion_close, name="motion_close"),
    path("motions/<int:motion_id>/convention/", views.convention_create, name="convention_create"),
    path("conventions/", views.conventions, name="conventions"),
    path("conventions/<int:convention_id>/", views.convention, name="convention"),
    path("conventions/<int:convention_id>/sign/", views.sign, name="sign"),
    path("communities/<int:community_id>/conduct/", views.awards, name="awards"),
    path("communities/<int:community_id>/conduct/rules/", views.rule_create, name="rule_create"),
    path("communities/<int:community_id>/conduct/awards/", views.award_propose, name="award_propose"),
    path("conduct-awards/<int:award_id>/approve/", views.award_approve, name="award_approve"),
    path("conduct-awards/<int:award_id>/reject/", views.award_reject, name="award_reject"),
    path("conduct-awards/<int:award_id>/photo/", views.award_photo, name="award_photo"),
]
