"""Page addresses of records. ``config.urls`` mounts them: the organisation page joins the
``organizations`` namespace of accounts; the record and certificate pages have top-level names
(``volunteer_record``, ``volunteer_certificate``, ``certificate_verify``, ``community_volunteers_export``,
``resident_record``), listed in ``config.urls`` where they always were."""

from django.urls import path

from records.views import organizations

organization_patterns = [
    path("<int:organization_id>/", organizations.organization_detail, name="detail"),
]
