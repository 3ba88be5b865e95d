"""Certificates moved from orders to records (#29) keeping their table: a database migrated from before
the move still verifies every certificate it issued, by the same code, with the same figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Community, District, Street, User
from records.models import Certificate
from records.selectors import certificate_get_public

BEFORE_THE_MOVE = [("orders", "0011_claim_confirmation_answer"), ("records", None)]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_certificates(client):
    community = Community.objects.create(name="锣旗寺社区", street=Street.objects.create(name="郭家沱街道", district=District.objects.create(name="江北区")))
    volunteer = User.objects.create_user(username="wang", password="x" * 12, display_name="王小梅")
    executor = MigrationExecutor(connection)
    try:
        # Back to the schema where certificates lived in orders, and issue one as that code would have.
        executor.migrate(BEFORE_THE_MOVE)
        old = executor.loader.project_state(BEFORE_THE_MOVE[0]).apps
        old.get_model("orders", "Certificate").objects.create(
            code="ABCD2345EFGH6789", user_id=volunteer.pk, community_id=community.pk, issuer_name="锣旗寺社区居民委员会",
            volunteer_name="王小梅", volunteer_no="500105" + "00000001", period_start=date(2026, 1, 5), period_end=date(2026, 3, 1),
            services=3, hours=Decimal("7.50"), honour_hours=Decimal("0.00"), lines=[{"title": "陪老人买菜", "hours": "2.50"}],
            language="zh-hans", issued_by_id=volunteer.pk,
        )
        with pytest.raises(LookupError):
            old.get_model("records", "Certificate")
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    # The same row, read by the moved model and by the public verification (code typed with dashes).
    certificate = certificate_get_public("abcd-2345-efgh-6789")
    assert (certificate.volunteer_name, certificate.hours, certificate.community_id) == ("王小梅", Decimal("7.50"), community.pk)
    assert certificate.lines == [{"title": "陪老人买菜", "hours": "2.50"}]
    assert Certificate._meta.db_table == "orders_certificate" and Certificate.objects.count() == 1
    page = client.get("/certificates/ABCD2345EFGH6789/")
    assert page.status_code == 200 and "7.50" in page.content.decode()
