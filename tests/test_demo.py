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


@pytest.mark.django_db
def test_the_demo_has_a_year_of_history_on_the_dashboard_and_in_its_export():
    """On a fresh start 锣旗寺社区's dashboard shows at least ten months with verified services,
    and the month-by-month CSV carries the same figures as the page's table."""
    import csv
    import io
    import re

    from tests.conftest import browser

    call_command("load_demo", quiet_logins=True)
    luoqisi = Community.objects.get(name="锣旗寺社区")
    client = browser(User.objects.get(username="luoqisi_staff"))
    body = b"".join(client.get(f"/communities/{luoqisi.pk}/dashboard/", {"table": "months", "format": "csv"}).streaming_content).decode()
    months = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert sum(1 for row in months if int(row[2]) > 0) >= 10
    page = client.get(f"/communities/{luoqisi.pk}/dashboard/").content.decode()
    table = page[page.index('id="months"'):]
    shown = re.findall(r'<th scope="row">(\d{4}-\d{2})</th><td>([\d,]+)</td><td>([\d,]+)</td><td>([\d,.]+)</td>', table)
    assert [(m, int(t.replace(",", "")), int(s.replace(",", "")), float(h.replace(",", ""))) for m, t, s, h in shown] == [
        (row[0], int(row[1]), int(row[2]), float(row[3])) for row in months
    ]
    # The history went through the services: every verified claim paid its points once.
    verified = Claim.objects.filter(task__community=luoqisi, status="verified")
    assert verified.count() >= 60 and all(c.points_awarded == c.task.points for c in verified)
    assert Need.objects.filter(community=luoqisi, status="resolved").count() >= 8
    call_command("points_audit")


@pytest.mark.django_db
def test_the_demo_has_lei_dages_application_approved_with_his_wheelchair_and_loads_twice():
    """#30: 复盛镇's applications, one in each state; 雷大哥's went through every step."""
    from relief.models import Application, ApplicationDocument, Referral

    call_command("load_demo", quiet_logins=True)
    first = [Application.objects.count(), Referral.objects.count(), ApplicationDocument.objects.count()]
    call_command("load_demo", quiet_logins=True)
    assert [Application.objects.count(), Referral.objects.count(), ApplicationDocument.objects.count()] == first
    lei = Application.objects.get(applicant__username="lei_dage", kind="minimum_living")
    assert lei.status == "approved" and lei.delegated_to.name == "重庆暖洋洋社会工作服务中心"
    assert list(lei.history.values_list("to_status", flat=True)) == ["submitted", "verifying", "reported", "approved"]
    assert "电动轮椅" in lei.referrals.get().what
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted", "verifying", "reported", "approved", "rejected", "withdrawn"}


@pytest.mark.django_db
def test_the_public_affairs_demo_loads_twice_and_its_funds_add_up():
    """#31: a few dozen policies in six categories, service items, funds with spending lines, and
    reports in each status; loading again changes nothing."""
    from affairs.models import Fund, Policy, Report, ServiceItem, SpendingLine
    from affairs.selectors import public_funds

    def affairs_counts():
        return [m.objects.count() for m in (Policy, ServiceItem, Fund, SpendingLine, Report)]

    call_command("load_demo", quiet_logins=True)
    first = affairs_counts()
    call_command("load_demo", quiet_logins=True)
    assert affairs_counts() == first
    assert Policy.objects.count() >= 24
    assert set(Policy.objects.values_list("category", flat=True)) >= {"elderly", "disability", "minimum_living", "employment", "medical", "education"}
    assert set(Report.objects.values_list("status", flat=True)) == {"received", "in_progress", "resolved", "unfounded"}
    luoqisi = Community.objects.get(name="锣旗寺社区")
    rows = public_funds({"community": luoqisi.pk})
    assert {r.source for r in rows} == {"government", "charity", "donations"}
    assert all(0 <= r.spent <= r.amount for r in rows)


@pytest.mark.django_db
def test_the_deliberation_demo_has_16_stewards_the_passed_convention_and_loads_twice():
    """#32: 锣旗寺社区's 16 stewards, the 文明养犬 motion passed 12–2–2, minutes, the convention with
    signatures, conduct rules and awards paid through the ledger; loading again changes nothing."""
    from deliberation.models import ConductAward, ConductRule, ConventionSignature, Issue, Meeting, Motion, MotionVote, Steward

    def deliberation_counts():
        return [m.objects.count() for m in (Steward, Issue, Meeting, Motion, MotionVote, ConventionSignature, ConductRule, ConductAward)]

    call_command("load_demo", quiet_logins=True)
    first = deliberation_counts()
    call_command("load_demo", quiet_logins=True)
    assert deliberation_counts() == first
    luoqisi = Community.objects.get(name="锣旗寺社区")
    assert Steward.objects.filter(community=luoqisi).count() == 16 and luoqisi.households == 1700
    motion = Motion.objects.get(title="通过《锣旗寺社区文明养犬公约》")
    assert (motion.votes_for, motion.votes_against, motion.votes_abstain, motion.status) == (12, 2, 2, "passed")
    assert motion.meeting.status == "published" and "12 票" in motion.meeting.minutes
    assert motion.convention.signatures.count() == 10
    assert ConductAward.objects.filter(status="approved").count() == 2 and ConductAward.objects.filter(status="pending").count() == 1
    assert LedgerTransaction.objects.filter(memo_code="points_conduct").count() == 2
    call_command("points_audit")


@pytest.mark.django_db
def test_the_resources_demo_loads_twice_with_rooms_groups_talents_and_reports_in_each_state():
    """#33: 原聚场's rooms with a month of bookings and the choir's handover, 东原社区's groups, a dozen
    talents, annual reports passed / needing correction / filed and one missing; loading again changes nothing."""
    from accounts.annual_reports import annual_report_missing
    from accounts.models import AnnualReport
    from resources.models import Booking, GroupFiling, Handover, Talent, Venue

    def resource_counts():
        return [m.objects.count() for m in (Venue, Booking, Handover, GroupFiling, Talent, AnnualReport)]

    call_command("load_demo", quiet_logins=True)
    first = resource_counts()
    call_command("load_demo", quiet_logins=True)
    assert resource_counts() == first
    assert Booking.objects.filter(status="confirmed").count() >= 15 and Booking.objects.filter(status="requested").exists()
    assert Handover.objects.get().organization.name == "东原社区合唱团"
    assert Talent.objects.count() >= 12 and Talent.objects.filter(fields_key__contains="|绘本|").count() >= 2
    assert set(AnnualReport.objects.values_list("status", flat=True)) == {"filed", "passed", "needs_correction"}
    assert annual_report_missing(Organization.objects.get(name="咖啡研习社")) is not None


@pytest.mark.django_db
def test_the_budget_and_alliance_demo_loads_twice_and_its_books_balance():
    """#34: 锣旗寺社区's ¥50,000 budget, six proposals, votes online and on paper, closed with winners
    (one funded); the alliance with 东原社区 and a volunteer who spent across it. Loading again
    changes nothing, and the points audit passes."""
    from budgets.models import Ballot, Budget, Proposal
    from points.models import Alliance

    def counts():
        return [m.objects.count() for m in (Budget, Proposal, Ballot, Alliance, Redemption, LedgerTransaction)]

    call_command("load_demo", quiet_logins=True)
    first = counts()
    call_command("load_demo", quiet_logins=True)
    assert counts() == first
    budget = Budget.objects.get(community__name="锣旗寺社区", amount=5_000_000)
    assert budget.closed_at is not None and budget.proposals.count() == 6
    assert set(budget.ballots.values_list("channel", flat=True)) == {"online", "paper"}
    winners = budget.proposals.filter(outcome="won")
    assert winners.exists() and sum(winners.values_list("cost", flat=True)) <= budget.amount
    assert winners.exclude(project=None).count() == 1 and budget.fund.lines.count() == 1
    assert Redemption.objects.filter(user__username="luoqisi_volunteer", community__name="东原社区").count() == 1
    call_command("points_audit")


@pytest.mark.django_db
def test_the_district_admin_opens_a_row_of_every_model_in_the_admin_and_cannot_edit_votes_or_bookings():
    """On the demo data every admin list has rows to open; the rows only services write (votes,
    awards, bookings, the ledger) open without a save button."""
    from django.contrib import admin
    from django.urls import reverse

    from tests.conftest import browser

    call_command("load_demo", quiet_logins=True)
    admin_user = User.objects.create_superuser("admin_check", password="x")
    client = browser(admin_user)
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    unopened = []
    for model, model_admin in admin.site._registry.items():
        row = model_admin.get_queryset(request).order_by("pk").first()  # what the admin's list shows (sealed bids are not)
        if row is None:
            continue
        page = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk]))
        if page.status_code != 200:
            unopened.append((model._meta.label, page.status_code))
    assert unopened == []
    from deliberation.models import Motion
    from resources.models import Booking

    for model in (Motion, Booking):
        row = model.objects.order_by("pk").first()
        page = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])).content.decode()
        assert 'name="_save"' not in page
