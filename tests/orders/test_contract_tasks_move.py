"""The link from a task to the contract it was posted for moved from marketplace (``Task.contract``, a
reference up the ladder) to orders (``ContractTask``) (#29): a database migrated from before the move
still shows each contract's tasks on the project, and one migrated back has them in the old column."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from marketplace.services import TaskFields
from orders import selectors
from orders.services import bid_submit, contract_set_milestones, contract_task_create, project_award
from tests.orders.test_projects import PROPOSAL, bidder, project  # noqa: F401  (project: a fixture)

BEFORE_THE_MOVE = [("orders", "0012_certificate_move_to_records"), ("marketplace", "0016_consultation_category")]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_the_tasks_of_each_contract(api, client, project, community, staff, funded, make_task):  # noqa: F811
    org, admin = bidder(community, "甲机构")
    bid = bid_submit(actor=admin, project=project, organization=org, amount=1000, proposal=PROPOSAL)
    with time_machine.travel(project.bid_deadline + timedelta(minutes=1)):
        contract = project_award(actor=staff, project=project, bid=bid, reason="唯一投标")
        contract_set_milestones(actor=staff, contract=contract, items=[("全年服务", (timezone.now() + timedelta(days=300)).date(), 1000)])
    old_link = make_task(title="项目志愿者：陪老人散步")
    make_task(title="社区自己的任务")  # not the contract's: never shown with it
    start = timezone.localtime() + timedelta(days=5)
    new_link = contract_task_create(actor=admin, contract=contract, fields=TaskFields(
        title="项目志愿者：上门读报", description="", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=1),
        location="社区公园", slots=2, points=5, skills=[], beneficiary=None,
    ))
    executor = MigrationExecutor(connection)
    try:
        # Back to the schema where the task named its contract, and link one as that code would have.
        executor.migrate(BEFORE_THE_MOVE)
        old_task = executor.loader.project_state(BEFORE_THE_MOVE).apps.get_model("marketplace", "Task")
        assert old_task.objects.get(pk=new_link.pk).contract_id == contract.pk  # migrated back, the link went with it
        old_task.objects.filter(pk=old_link.pk).update(contract_id=contract.pk)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    linked = sorted([old_link.pk, new_link.pk])
    assert sorted(t.pk for t in selectors.contract_tasks(contract)) == linked
    assert sorted(api().get(f"projects/{project.pk}/contract").json()["task_ids"]) == linked
    client.force_login(staff)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "项目志愿者：陪老人散步" in page and "项目志愿者：上门读报" in page and "社区自己的任务" not in page
    with connection.cursor() as cursor:  # the old column is left empty: it holds no contract against deletion
        cursor.execute("SELECT COUNT(*) FROM marketplace_task WHERE contract_id IS NOT NULL")
        assert cursor.fetchone()[0] == 0
