"""Page addresses of orders. ``config.urls`` mounts them; the task page joins the ``tasks``
namespace of the app below."""

from django.urls import path

from orders.views import claims, corrections, projects, reviews, tasks

claim_patterns = [
    path("", claims.my_claims, name="mine"),
    path("queue/", claims.queue, name="queue"),
    path("queue/verify/", claims.verify_many, name="verify_many"),
    path("corrections/", corrections.corrections, name="corrections"),
    path("corrections/<int:correction_id>/decide/", corrections.correction_decide, name="correction_decide"),
    path("<int:claim_id>/correction/", corrections.correction_request, name="correction"),
    path("<int:claim_id>/withdraw/", claims.withdraw, name="withdraw"),
    path("<int:claim_id>/check-in/", claims.check_in, name="check_in"),
    path("<int:claim_id>/check-out/", claims.check_out, name="check_out"),
    path("<int:claim_id>/submit/", claims.submit, name="submit"),
    path("<int:claim_id>/verify/", claims.verify, name="verify"),
    path("<int:claim_id>/reject/", claims.reject, name="reject"),
    path("<int:claim_id>/review/", reviews.review, name="review"),
    path("<int:claim_id>/rate/", reviews.rate, name="rate"),
    path("<int:claim_id>/confirm/", claims.confirm, name="confirm"),
    path("reviews/<int:review_id>/hide/", reviews.hide_review, name="hide_review"),
]

task_patterns = [
    path("<int:task_id>/", tasks.task_detail, name="detail"),
    path("<int:task_id>/cancel/", tasks.task_cancel, name="cancel"),
    path("<int:task_id>/claim/", claims.claim, name="claim"),
    path("<int:task_id>/waitlist/", tasks.waitlist_join, name="waitlist_join"),
    path("<int:task_id>/waitlist/leave/", tasks.waitlist_leave, name="waitlist_leave"),
]

project_patterns = [
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
]
