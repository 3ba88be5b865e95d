from django.urls import path

from affairs import views

app_name = "affairs"
urlpatterns = [
    path("policies/", views.policies, name="policies"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("services/<int:item_id>/", views.service_item_detail, name="service_item"),
    path("funds/", views.funds, name="funds"),
    path("funds/<int:fund_id>/", views.fund_detail, name="fund"),
    path("funds/<int:fund_id>/spending/", views.spending_new, name="spending_new"),
    path("funds/lines/<int:line_id>/voucher/", views.fund_voucher, name="fund_voucher"),
    path("reports/", views.reports_public, name="reports_public"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/track/", views.report_find, name="report_find"),
    path("reports/track/<str:tracking_no>/", views.report_track, name="report_track"),
    path("reports/<int:report_id>/reply/", views.report_reply, name="report_reply"),
    path("reports/<int:report_id>/escalate/", views.report_escalate, name="report_escalate"),
    path("manage/<int:community_id>/", views.manage, name="manage"),
    path("manage/<int:community_id>/policies/", views.policy_new, name="policy_new"),
    path("manage/<int:community_id>/service-items/", views.service_item_new, name="service_item_new"),
    path("manage/<int:community_id>/funds/", views.fund_new, name="fund_new"),
]
