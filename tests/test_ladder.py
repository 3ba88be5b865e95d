"""The app ladder (docs/architecture.md) as an operator meets it: the models that moved between apps
keep their data on a database that existed before the move, the migrations match the models. (The
ladder itself is held by `make lint`, which `make test` runs first.)"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Community, District, Street
from funds.models import Donation, Spending

BEFORE_THE_MOVE = [("orders", "0003_stripeevent_spending_donation"), ("funds", None)]


def test_the_migrations_match_the_models(db):
    # --check exits with status 1 when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_donations_and_spending():
    community = Community.objects.create(name="锣旗寺社区", street=Street.objects.create(name="郭家沱街道", district=District.objects.create(name="江北区")))
    executor = MigrationExecutor(connection)
    try:
        # Back to the schema where donations lived in orders, and write one as that code would have.
        executor.migrate(BEFORE_THE_MOVE)
        old = executor.loader.project_state(BEFORE_THE_MOVE[0]).apps
        old.get_model("orders", "Donation").objects.create(
            community_id=community.pk, amount=50_000, currency="cny", status="succeeded", donor_name="张先生", message="给老人"
        )
        with pytest.raises(LookupError):
            old.get_model("funds", "Donation")
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    donation = Donation.objects.get()
    assert (donation.amount, donation.donor_name, donation.community_id) == (50_000, "张先生", community.pk)
    assert Donation._meta.db_table == "orders_donation" and Spending._meta.db_table == "orders_spending"

