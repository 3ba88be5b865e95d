from django.urls import path

from budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.budget_list, name="list"),
    path("new/<int:community_id>/", views.budget_new, name="new"),
    path("new/street/<int:street_id>/", views.budget_new_street, name="new_street"),
    path("<int:budget_id>/", views.budget_detail, name="detail"),
    path("<int:budget_id>/proposals/", views.proposal_new, name="propose"),
    path("<int:budget_id>/vote/", views.ballot_new, name="vote"),
    path("<int:budget_id>/paper/", views.paper_ballot, name="paper"),
    path("<int:budget_id>/close/", views.budget_close, name="close"),
    path("proposals/<int:proposal_id>/review/", views.proposal_review, name="review"),
    path("proposals/<int:proposal_id>/fund/", views.proposal_fund, name="fund"),
]
