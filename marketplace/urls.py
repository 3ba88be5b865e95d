from django.urls import path

from marketplace.views import tasks as views
from orders import views as order_views

app_name = "tasks"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/<int:community_id>/", views.create, name="create"),
    path("<int:task_id>/", views.detail, name="detail"),
    path("<int:task_id>/edit/", views.edit, name="edit"),
    path("<int:task_id>/card/", views.card, name="card"),
    path("<int:task_id>/cancel/", views.cancel, name="cancel"),
    path("<int:task_id>/publish/", views.publish, name="publish"),
    path("<int:task_id>/complete/", views.complete, name="complete"),
    path("<int:task_id>/claim/", order_views.claim, name="claim"),
]
