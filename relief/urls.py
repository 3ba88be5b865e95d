from django.urls import path

from relief import views

app_name = "relief"

urlpatterns = [
    path("assistance/", views.mine, name="mine"),
    path("assistance/apply/", views.apply, name="apply"),
    path("assistance/delegated/", views.delegated, name="delegated"),
    path("assistance/<int:application_id>/", views.detail, name="detail"),
    path("assistance/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("assistance/<int:application_id>/delegate/", views.delegate, name="delegate"),
    path("assistance/<int:application_id>/decide/", views.decide, name="decide"),
    path("assistance/<int:application_id>/referrals/", views.refer, name="refer"),
    path("assistance/<int:application_id>/report/", views.report, name="report"),
    path("assistance/<int:application_id>/documents/", views.add_documents, name="add_documents"),
    path("assistance/<int:application_id>/documents/<int:document_id>/", views.document, name="document"),
    path("communities/<int:community_id>/assistance/", views.inbox, name="inbox"),
    path("district/assistance/", views.district, name="district"),
    path("district/assistance/export.csv", views.district_export, name="district_export"),
]
