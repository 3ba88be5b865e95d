"""The demo data `make run` loads: real names from the Jiangbei report, loadable twice."""

import pytest
from django.core.management import call_command

from accounts.models import Community, Membership, Organization, User
from funds.models import Donation, Spending
from marketplace.models import Consultation, Need, NeedEvent, Project, Task
from orders.models import Bid, Claim
from points.models import LedgerTransaction, Redemption, Reward


def counts():
    return [m.objects.count() for m in (User, Community, Membership, Organization, LedgerTransaction, Reward, Redemption, Task, Claim, Need, NeedEvent, Consultation, Project, Bid, Donation, Spending)]


@pytest.mark.django_db
def test_demo_data_loads_twice_without_changing_anything(capsys):
    call_command("load_demo")
    first = counts()
    out = capsys.readouterr().out
    assert "luoqisi_staff" in out and "demo-pass-2026" in out  # the logins are printed
    call_command("load_demo", quiet_logins=True)
    assert counts() == first
    assert Community.objects.filter(name="锣旗寺社区", street__name="郭家沱街道", street__district__name="江北区").exists()
    assert Organization.objects.get(name="重庆暖洋洋社会工作服务中心").status == "verified"
    call_command("points_audit")


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("load_demo", quiet_logins=True)
    response = client.post("/accounts/login/", {"username": "luoqisi_volunteer", "password": "demo-pass-2026"})
    assert response.status_code == 302
    assert client.get("/points/").status_code == 200
