from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("points/", views.my_points, name="mine"),
    path("communities/<int:community_id>/rewards/", views.catalogue, name="catalogue"),
    path("communities/<int:community_id>/rewards/new/", views.reward_edit, name="reward_create"),
    path("communities/<int:community_id>/rewards/<int:reward_id>/edit/", views.reward_edit, name="reward_edit"),
    path("rewards/<int:reward_id>/redeem/", views.redeem, name="redeem"),
    path("redemptions/<int:redemption_id>/cancel/", views.cancel_redemption, name="cancel"),
    path("communities/<int:community_id>/points/", views.counter, name="counter"),
    path("communities/<int:community_id>/points/award/", views.award, name="award"),
    path("communities/<int:community_id>/points/rules/", views.rules, name="rules"),
    path("communities/<int:community_id>/points/budget/", views.budget, name="budget"),
    path("points/alliances/", views.alliances, name="alliances"),
    path("points/alliances/<int:alliance_id>/", views.alliance_balances, name="alliance"),
    path("communities/<int:community_id>/redemptions/<int:redemption_id>/fulfil/", views.fulfil, name="fulfil"),
]
