from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy

import core.converters  # noqa: F401  (registers the strict "code" and "token" converters)
from accounts import urls as account_urls
from accounts import views as account_views
from accounts.assistance import views as assistance_views
from config import health
from config.api import api
from core.language import switch_language
from core.largetext import switch_large_text
from core.media import public_media
from dashboards import views as dashboard_views
from funds import views as donation_views
from funds.webhooks import stripe_webhook
from marketplace import urls as market_urls
from marketplace.views import needs as need_views
from orders import urls as order_urls
from points import views as points_views
from reach import urls as reach_urls
from records import urls as record_urls
from records.views import certificates as certificate_views
from records.views import records as record_views

# The admin speaks the product's name (社区集市 管理后台), not "Django administration".
admin.site.site_header = gettext_lazy("Community Market administration")
admin.site.site_title = gettext_lazy("Community Market administration")
admin.site.index_title = gettext_lazy("Site administration")

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/my-data/", dashboard_views.my_data_export, name="my_data_export"),
    path("accounts/delete/", dashboard_views.account_delete, name="account_delete"),
    path("accounts/", include("accounts.urls")),
    path("communities/", include((account_urls.community_patterns, "communities"))),
    path("organizations/", include((account_urls.organization_patterns + record_urls.organization_patterns, "organizations"))),
    path("", include("points.urls")),
    path("tasks/", include((market_urls.task_patterns + order_urls.task_patterns + reach_urls.task_patterns, "tasks"))),
    path("", include("reach.urls")),
    path("claims/", include((order_urls.claim_patterns, "claims"))),
    path("needs/", include((market_urls.need_patterns, "needs"))),
    path("projects/", include((order_urls.project_patterns, "projects"))),
    path("consultations/", include((market_urls.consultation_patterns, "consultations"))),
    path("feedback/", need_views.board, name="feedback"),
    path("communities/<int:community_id>/info/", dashboard_views.community_info, name="community_info"),
    path("communities/<int:community_id>/workbench/", dashboard_views.workbench, name="workbench"),
    path("communities/<int:community_id>/dashboard/", dashboard_views.community_dashboard, name="community_dashboard"),
    path("district/dashboard/", dashboard_views.district_dashboard, name="district_dashboard"),
    path("communities/<int:community_id>/ledger/export/", points_views.ledger_export, name="community_ledger_export"),
    path("communities/<int:community_id>/donations/export/", donation_views.donations_export, name="community_donations_export"),
    path("communities/<int:community_id>/feedback/", need_views.board, name="community_feedback"),
    path("volunteers/<int:user_id>/record/", record_views.record, name="volunteer_record"),
    path("volunteers/<int:user_id>/certificate/", certificate_views.download, name="volunteer_certificate"),
    path("certificates/<code:code>/", certificate_views.verify, name="certificate_verify"),
    path("communities/<int:community_id>/volunteers/export/", record_views.volunteers_export, name="community_volunteers_export"),
    path("notifications/", account_views.notifications, name="notifications"),
    path("people/search/", account_views.people_search, name="people_search"),
    path("me/service-card/", assistance_views.my_service_card, name="service_card"),
    path("me/guardians/", assistance_views.guardians, name="guardians"),
    path("me/guardians/<int:user_id>/remove/", assistance_views.guardian_remove, name="guardian_remove"),
    path("me/guardian-requests/<int:user_id>/accept/", assistance_views.guardian_accept, name="guardian_accept"),
    path("me/guardian-requests/<int:user_id>/decline/", assistance_views.guardian_decline, name="guardian_decline"),
    path("communities/<int:community_id>/residents/new/", assistance_views.resident_register, name="resident_register"),
    path("communities/<int:community_id>/residents/<int:user_id>/", record_views.resident_record, name="resident_record"),
    path(
        "communities/<int:community_id>/residents/<int:user_id>/service-card/",
        assistance_views.resident_service_card,
        name="resident_service_card",
    ),
    path("", include("relief.urls")),  # assistance applications (#30): namespace relief
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", switch_language, name="switch_language"),
    path("large-text/<str:state>/", switch_large_text, name="large_text"),
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
    path("affairs/", include("affairs.urls")),  # 基层事务信息公开 and 监督举报 (#31)
    path("deliberation/", include("deliberation.urls")),  # 百姓管家 · 议事协商 and conduct points (#32)
    path("resources/", include("resources.urls")),  # venues, bookings, community groups, talents (#33)
    path("budgets/", include("budgets.urls")),  # 民生实事项目票决 and 通存通兑 (#34)
    # Public uploads (reward pictures) only: names are chosen by the app and checked to be images.
    # Bid attachments and spending vouchers are not here (404): their own views check the viewer.
    re_path(r"^media/(?P<path>.*)$", public_media),
    path(
        "communities/<int:community_id>/funds/spending/<int:spending_id>/voucher/",
        donation_views.spending_voucher,
        name="spending_voucher",
    ),
]

handler400 = "core.handlers.bad_request"
handler403 = "core.handlers.permission_denied"
handler404 = "core.handlers.page_not_found"
handler500 = "core.handlers.server_error"
