from django.urls import path

from orders import views

app_name = "claims"

urlpatterns = [
    path("", views.my_claims, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("queue/verify/", views.verify_many, name="verify_many"),
    path("<int:claim_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:claim_id>/check-in/", views.check_in, name="check_in"),
    path("<int:claim_id>/check-out/", views.check_out, name="check_out"),
    path("<int:claim_id>/submit/", views.submit, name="submit"),
    path("<int:claim_id>/verify/", views.verify, name="verify"),
    path("<int:claim_id>/reject/", views.reject, name="reject"),
    path("<int:claim_id>/review/", views.review, name="review"),
    path("<int:claim_id>/rate/", views.rate, name="rate"),
    path("reviews/<int:review_id>/hide/", views.hide_review, name="hide_review"),
]
