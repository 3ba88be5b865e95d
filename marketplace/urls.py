"""Page addresses of the marketplace. ``config.urls`` mounts them, joined with the orders pages
that share their namespaces (a task's page, where it is claimed and delivered, is in orders)."""

from django.urls import path

from marketplace.views import consultations, needs
from marketplace.views import tasks as task_views

task_patterns = [
    path("", task_views.board, name="board"),
    path("new/<int:community_id>/", task_views.create, name="create"),
    path("<int:task_id>/edit/", task_views.edit, name="edit"),
    path("<int:task_id>/card/", task_views.card, name="card"),
    path("<int:task_id>/publish/", task_views.publish, name="publish"),
    path("<int:task_id>/complete/", task_views.complete, name="complete"),
]

need_patterns = [
    path("", needs.mine, name="mine"),
    path("new/<int:community_id>/", needs.submit, name="submit"),
    path("<int:need_id>/", needs.detail, name="detail"),
    path("wards/<int:user_id>/", needs.ward, name="ward"),
    path("<int:need_id>/triage/", needs.triage, name="triage"),
    path("<int:need_id>/task/", needs.to_task, name="to_task"),
    path("<int:need_id>/resolve/", needs.resolve, name="resolve"),
    path("<int:need_id>/close/", needs.close, name="close"),
]

consultation_patterns = [
    path("<int:consultation_id>/", consultations.detail, name="detail"),
    path("<int:consultation_id>/vote/", consultations.vote, name="vote"),
    path("<int:consultation_id>/comment/", consultations.comment, name="comment"),
    path("<int:consultation_id>/decide/", consultations.decide, name="decide"),
    path("comments/<int:comment_id>/hide/", consultations.hide_comment, name="hide_comment"),
    path("community/<int:community_id>/", consultations.listing, name="list"),
    path("community/<int:community_id>/new/", consultations.create, name="create"),
]
