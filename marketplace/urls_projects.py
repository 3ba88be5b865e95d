from django.urls import path

from marketplace.views import projects

projects_patterns = (
    [
        path("", projects.listing, name="list"),
        path("new/<int:community_id>/", projects.create, name="create"),
        path("<int:project_id>/", projects.detail, name="detail"),
        path("<int:project_id>/bid/", projects.bid, name="bid"),
        path("<int:project_id>/award/", projects.award, name="award"),
        path("bids/<int:bid_id>/withdraw/", projects.withdraw_bid, name="withdraw_bid"),
        path("bids/<int:bid_id>/score/", projects.score_bid, name="score_bid"),
        path("bids/<int:bid_id>/attachment/", projects.bid_attachment, name="bid_attachment"),
        path("contracts/<int:contract_id>/milestones/", projects.milestones, name="milestones"),
        path("contracts/<int:contract_id>/review/", projects.review, name="review"),
        path("milestones/<int:milestone_id>/submit/", projects.milestone_submit, name="milestone_submit"),
        path("milestones/<int:milestone_id>/accept/", projects.milestone_accept, name="milestone_accept"),
        path("milestones/<int:milestone_id>/return/", projects.milestone_return, name="milestone_return"),
    ],
    "projects",
)
