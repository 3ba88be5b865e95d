from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views
from accounts.urls import communities_patterns, organizations_patterns
from config import health
from config.api import api
from config.media import public_media
from config.language import switch_language
from marketplace.urls_needs import consultation_patterns, needs_patterns
from marketplace.urls_projects import projects_patterns
from marketplace.views import dashboards as dashboard_views
from marketplace.views import needs as need_views
from orders import donation_views
from orders import views as order_views
from orders.webhooks import stripe_webhook
from points import views as points_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("communities/", include(communities_patterns)),
    path("organizations/", include(organizations_patterns)),
    path("", include("points.urls")),
    path("tasks/", include("marketplace.urls")),
    path("claims/", include("orders.urls")),
    path("needs/", include(needs_patterns)),
    path("projects/", include(projects_patterns)),
    path("consultations/", include(consultation_patterns)),
    path("feedback/", need_views.board, name="feedback"),
    path("communities/<int:community_id>/info/", dashboard_views.community_info, name="community_info"),
    path("communities/<int:community_id>/dashboard/", dashboard_views.community_dashboard, name="community_dashboard"),
    path("district/dashboard/", dashboard_views.district_dashboard, name="district_dashboard"),
    path("communities/<int:community_id>/ledger/export/", points_views.ledger_export, name="community_ledger_export"),
    path("communities/<int:community_id>/donations/export/", donation_views.donations_export, name="community_donations_export"),
    path("communities/<int:community_id>/feedback/", need_views.board, name="community_feedback"),
    path("volunteers/<int:user_id>/record/", order_views.record, name="volunteer_record"),
    path("notifications/", order_views.notifications, name="notifications"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", switch_language, name="switch_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("donate/", donation_views.donate, name="donate"),
    path("donations/", donation_views.mine, name="my_donations"),
    path("donations/<int:donation_id>/receipt/", donation_views.receipt, name="donation_receipt"),
    path("donations/<int:donation_id>/refund/", donation_views.refund, name="donation_refund"),
    path("communities/<int:community_id>/funds/", donation_views.funds, name="community_funds"),
    path("communities/<int:community_id>/funds/spending/", donation_views.record_spending, name="record_spending"),
    path("communities/<int:community_id>/projects/<int:project_id>/funds/", donation_views.funds, name="project_funds"),
    # Public uploads (reward pictures) only: names are chosen by the app and checked to be images.
    # Bid attachments and spending vouchers are not here (404): their own views check the viewer.
    re_path(r"^media/(?P<path>.*)$", public_media),
    path(
        "communities/<int:community_id>/funds/spending/<int:spending_id>/voucher/",
        donation_views.spending_voucher,
        name="spending_voucher",
    ),
]

handler400 = "config.handlers.bad_request"
handler403 = "config.handlers.permission_denied"
handler404 = "config.handlers.page_not_found"
handler500 = "config.handlers.server_error"
