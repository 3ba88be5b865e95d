"""Who may see and change what: every object endpoint of the API and every object page, as each of
seven people, against one realistic community.

The table below is the permission design written down. Each row is one endpoint (API) or one
page, the object its id points at, and the exact answer for each role, in this order:

    anonymous, resident, volunteer, org_admin, staff, other_staff, superuser

API answers are status codes. Pages answer a status code, or one of three redirects:
``login`` (to the login page), ``ok`` (back with a success message) and ``refused`` (back with the
service's refusal, for a 400 or 409: the object's state forbids it, the person may ask).

Conventions the table keeps (and the app follows): an object the caller may not even know exists
answers 404 (claims, needs before they are resolved, sealed bids, redemptions, receipts, drafts,
pending organisations); a public object the caller may not change answers 403; no credentials on
the API is 401 and on a page a redirect to the login.

Endpoints are enumerated from the NinjaAPI schema and the URL resolver: an endpoint or page with
an object id and no row fails ``test_every_object_endpoint_has_a_row``; a row whose endpoint is
gone fails ``test_no_row_is_left_over``. Each cell is its own test, named like
``test_cell[POST /api/v1/claims/{claim_id}/verify as other_staff]``.

Speed: the world is built once per module inside a transaction that is rolled back at the end;
each cell runs in a savepoint (pytest-django's ``db``) that is rolled back after it, so a cell that
cancels a task or pays points leaves the next cell the same world.
"""

import functools
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any, Callable
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = ("anonymous", "resident", "volunteer", "org_admin", "staff", "other_staff", "superuser")

# Page outcomes that are redirects (see the module docstring).
LOGIN, OK, REFUSED = "login", "ok", "refused"

# Not object pages: the admin (its own permissions), the API (enumerated from its schema), the
# language switch (its parameter is a language code), the 长辈模式 switch (on/off), uploaded and static files.
SKIPPED_PAGE_PREFIXES = ("admin/", "api/v1/", "i18n/", "language/", "large-text/", "media/", "^media/", "static/")


# --- The table -------------------------------------------------------------------------------------
@dataclass
class Row:
    method: str
    path: str  # the API's OpenAPI path, or the page's URL pattern, as enumerated
    on: str  # the world's objects for the path's ids, in order, space-separated
    expect: tuple  # one answer per role, in ROLES order
    body: Callable[[Any], dict] | None = None

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _answers(text: str) -> tuple:
    answers = tuple(int(a) if a.isdigit() else a for a in text.split())
    assert len(answers) == len(ROLES), text
    assert all(isinstance(a, int) or a in (LOGIN, OK, REFUSED) for a in answers), text
    return answers


def row(spec: str, on: str, expect: str, body=None) -> Row:
    method, path = spec.split(" ", 1)
    return Row(method, path, on, _answers(expect), body)


def _iso(dt) -> str:
    return timezone.localtime(dt).isoformat(timespec="seconds")


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def task_body(w) -> dict:
    start = w.now + timedelta(days=5)
    return {"title": "修剪绿化", "category": "environment", "starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=2)),
            "location": "锣旗寺社区 5 栋", "slots": 2, "points": 5}


def task_form(w) -> dict:
    start = w.now + timedelta(days=5)
    return {"title": "修剪绿化", "category": "environment", "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=2)),
            "location": "锣旗寺社区 5 栋", "slots": 2, "points": 5}


def checkin_code(w, task: str) -> str:
    from marketplace.models import Task
    from marketplace.services import task_checkin_code

    return task_checkin_code(actor=w.users["staff"], task=Task.objects.get(pk=w.ids[task]))[0]


def scores(w, prefix: str = "") -> dict:
    from marketplace.models import ProjectCriterion

    return {f"{prefix}{cid}": 80 for cid in ProjectCriterion.objects.filter(project_id=w.ids["p_closed"]).values_list("pk", flat=True)}


#                 roles:  anon  res  vol  org  staff other super
API = [
    # Communities, organisations, lockouts (accounts)
    row("GET /api/v1/communities/{community_id}", "community", "200 200 200 200 200 200 200"),
    row("POST /api/v1/communities/{community_id}/join", "community", "401 201 409 201 201 201 201", lambda w: {"role": "volunteer"}),
    # Staff only invite someone who is not a member yet (202); the district admin adds at once.
    row("POST /api/v1/communities/{community_id}/members", "community", "401 403 403 403 202 403 201",
        lambda w: {"user_id": w.ids["newcomer"], "role": "resident"}),
    # Only the invited person (the volunteer, invited into the other community) may answer.
    row("POST /api/v1/invitations/{invitation_id}/accept", "invitation", "401 404 201 404 404 404 404"),
    row("POST /api/v1/invitations/{invitation_id}/decline", "invitation", "401 404 200 404 404 404 404"),
    row("GET /api/v1/organizations/{organization_id}", "org", "200 200 200 200 200 200 200"),
    row("POST /api/v1/organizations/{organization_id}/verify", "org_pending", "401 404 404 404 200 403 200"),
    row("POST /api/v1/organizations/{organization_id}/suspend", "org_pending", "401 404 404 404 200 403 200", lambda w: {"reason": "材料不全"}),
    row("POST /api/v1/organizations/{organization_id}/members", "org", "401 403 403 201 403 403 201", lambda w: {"user_id": w.ids["newcomer"]}),
    row("GET /api/v1/organizations/{organization_id}/reputation", "org", "200 200 200 200 200 200 200"),
    # Guardians and assisted registration (#22): only the resident removes her guardian.
    row("DELETE /api/v1/me/guardians/{user_id}", "newcomer", "401 204 404 404 404 404 404"),
    # Only the person asked answers a guardian request (#36).
    row("POST /api/v1/me/guardian-requests/{user_id}/accept", "asker", "401 404 200 404 404 404 404"),
    row("DELETE /api/v1/me/guardian-requests/{user_id}", "asker", "401 404 204 404 404 404 404"),
    # Only the guardian she named (the volunteer) reads an elder's needs: staff read them on the needs' own pages.
    row("GET /api/v1/me/wards/{user_id}/needs", "elder", "401 404 200 404 404 404 404"),
    row("POST /api/v1/communities/{community_id}/residents", "community", "401 403 403 403 201 403 201", lambda w: {"display_name": "李大爷"}),
    row("POST /api/v1/users/{user_id}/unlock", "resident", "401 403 403 403 200 403 200"),
    # Points
    row("POST /api/v1/communities/{community_id}/points/budget", "community", "401 403 403 403 403 403 201", lambda w: {"amount": 100}),
    row("POST /api/v1/communities/{community_id}/points/awards", "community", "401 403 403 403 201 403 201",
        lambda w: {"user_id": w.ids["volunteer"], "amount": 5, "reason": "参加议事会"}),
    row("GET /api/v1/communities/{community_id}/points/rules", "community", "200 200 200 200 200 200 200"),
    row("PUT /api/v1/communities/{community_id}/points/rules", "community", "401 403 403 403 200 403 200",
        lambda w: {"daily_cap": None, "lifetime_cap": None, "reservation_days": 7}),
    row("GET /api/v1/communities/{community_id}/points/summary", "community", "401 403 403 403 200 403 200"),
    row("GET /api/v1/rewards/{reward_id}", "reward", "200 200 200 200 200 200 200"),
    row("PUT /api/v1/rewards/{reward_id}", "reward", "401 403 403 403 200 403 200", lambda w: {"name": "环保袋", "cost": 10, "stock": 5}),
    row("GET /api/v1/redemptions/{redemption_id}", "redemption", "401 404 200 404 200 404 200"),
    row("POST /api/v1/redemptions/{redemption_id}/fulfil", "redemption", "401 404 403 404 200 404 200", lambda w: {"code": w.redemption_code}),
    row("POST /api/v1/redemptions/{redemption_id}/cancel", "redemption", "401 404 200 404 200 404 200", lambda w: {"reason": "缺货"}),
    # Tasks
    row("GET /api/v1/tasks/{task_id}", "task_free", "200 200 200 200 200 200 200"),
    row("PUT /api/v1/tasks/{task_id}", "task_free", "401 403 403 403 200 403 200", task_body),
    row("POST /api/v1/tasks/{task_id}/publish", "task_draft", "401 404 404 404 200 404 200"),
    row("POST /api/v1/tasks/{task_id}/cancel", "task_free", "401 403 403 403 200 403 200", lambda w: {"reason": "下雨"}),
    row("POST /api/v1/tasks/{task_id}/complete", "task_sub", "401 403 403 403 200 403 200"),
    row("GET /api/v1/tasks/{task_id}/checkin-code", "task_now", "401 403 403 403 200 403 200"),
    # Waiting lists: a volunteer of the community waits for a full task; leaving is harmless to anyone
    row("POST /api/v1/tasks/{task_id}/waitlist", "task_full", "401 403 201 403 403 403 403"),
    row("DELETE /api/v1/tasks/{task_id}/waitlist", "task_full", "401 204 204 204 204 204 204"),
    # Needs
    row("GET /api/v1/communities/{community_id}/needs/board", "community", "200 200 200 200 200 200 200"),
    row("GET /api/v1/needs/{need_id}", "need_sub", "404 200 404 404 200 404 200"),
    row("POST /api/v1/needs/{need_id}/triage", "need_sub", "401 403 404 404 200 404 200", lambda w: {"track": "minor", "reply": "社区来办"}),
    row("POST /api/v1/needs/{need_id}/tasks", "need_tri", "401 403 404 404 201 404 201", task_body),
    row("POST /api/v1/needs/{need_id}/resolve", "need_tri", "401 403 404 404 200 404 200", lambda w: {"reply": "已修好"}),
    row("POST /api/v1/needs/{need_id}/close", "need_sub", "401 200 404 404 200 404 200", lambda w: {"reply": "不再需要"}),
    # Consultations
    row("GET /api/v1/consultations/{consultation_id}", "cons_open", "200 200 200 200 200 200 200"),
    row("POST /api/v1/consultations/{consultation_id}/votes", "cons_open", "401 200 403 403 403 403 403", lambda w: {"option_id": w.ids["option"]}),
    row("GET /api/v1/consultations/{consultation_id}/comments", "cons_open", "200 200 200 200 200 200 200"),
    row("POST /api/v1/consultations/{consultation_id}/comments", "cons_open", "401 201 403 403 201 403 201", lambda w: {"body": "赞成"}),
    row("POST /api/v1/comments/{comment_id}/hide", "comment", "401 403 403 403 200 403 200", lambda w: {"reason": "人身攻击"}),
    row("POST /api/v1/consultations/{consultation_id}/decision", "cons_closed", "401 403 403 403 200 403 200", lambda w: {"decision": "按多数意见办"}),
    # Projects, bids, contracts
    row("GET /api/v1/projects/{project_id}", "p_open", "200 200 200 200 200 200 200"),
    row("POST /api/v1/projects/{project_id}/cancel", "p_open", "401 403 403 403 200 403 200", lambda w: {"reason": "预算调整"}),
    row("POST /api/v1/projects/{project_id}/bids", "p_open", "401 403 403 201 403 403 403",
        lambda w: {"organization_id": w.ids["org"], "amount": 400_000, "proposal": "入户探访方案"}),
    # Before the deadline every signed-in caller gets a list; only the bidder finds its bid in it
    # (what the list holds is checked by test_sealed_bids_are_listed_only_to_their_bidder).
    row("GET /api/v1/projects/{project_id}/bids", "p_bid", "401 200 200 200 200 200 200"),
    row("PUT /api/v1/bids/{bid_id}", "bid_open", "401 404 404 200 404 404 404", lambda w: {"amount": 450_000, "proposal": "修订方案"}),
    row("POST /api/v1/bids/{bid_id}/withdraw", "bid_open", "401 404 404 200 404 404 404"),
    row("POST /api/v1/bids/{bid_id}/scores", "bid_closed", "401 404 404 403 200 404 200", lambda w: {"scores": scores(w)}),
    row("GET /api/v1/projects/{project_id}/ranking", "p_closed", "401 403 403 403 200 403 200"),
    row("POST /api/v1/projects/{project_id}/award", "p_closed", "401 403 403 403 200 403 200",
        lambda w: {"bid_id": w.ids["bid_closed"], "reason": "综合得分最高"}),
    row("GET /api/v1/projects/{project_id}/contract", "p_deliv", "200 200 200 200 200 200 200"),
    row("PUT /api/v1/contracts/{contract_id}/milestones", "c_awarded", "401 403 403 403 200 403 200",
        lambda w: {"milestones": [{"deliverable": "服务总结", "due_date": "2030-01-31", "amount": w.contract_amount}]}),
    row("POST /api/v1/contracts/{contract_id}/tasks", "c_awarded", "401 403 403 201 201 403 201", task_body),
    row("POST /api/v1/contracts/{contract_id}/review", "c_done", "401 403 403 403 201 403 201", lambda w: {"stars": 5}),
    row("POST /api/v1/milestones/{milestone_id}/submit", "m_pending", "401 403 403 200 403 403 403", lambda w: {"evidence": "活动照片 12 张"}),
    row("POST /api/v1/milestones/{milestone_id}/accept", "m_submitted", "401 403 403 403 200 403 200"),
    row("POST /api/v1/milestones/{milestone_id}/return", "m_submitted", "401 403 403 403 200 403 200", lambda w: {"comment": "缺签到表"}),
    # Claims and reviews (the claimant is the volunteer; the tasks are for the resident)
    row("POST /api/v1/tasks/{task_id}/claims", "task_free", "401 403 201 403 403 403 403"),
    row("GET /api/v1/claims/{claim_id}", "claim_now", "401 200 200 404 200 404 200"),
    row("POST /api/v1/claims/{claim_id}/withdraw", "claim_now", "401 403 200 404 403 404 403"),
    row("POST /api/v1/claims/{claim_id}/check-in", "claim_now", "401 403 200 404 403 404 403", lambda w: {"code": checkin_code(w, "task_now")}),
    row("POST /api/v1/claims/{claim_id}/check-out", "claim_in", "401 403 200 404 403 404 403", lambda w: {"code": checkin_code(w, "task_in")}),
    row("POST /api/v1/claims/{claim_id}/submit", "claim_out", "401 403 200 404 403 404 403", lambda w: {"note": "陪老人聊天"}),
    row("POST /api/v1/claims/{claim_id}/verify", "claim_sub", "401 403 403 404 200 404 200"),
    row("POST /api/v1/claims/{claim_id}/reject", "claim_sub", "401 403 403 404 200 404 200", lambda w: {"reason": "未到场"}),
    # Confirmation (#22): the resident is the person served; the volunteer must type her card's code.
    row("POST /api/v1/claims/{claim_id}/confirm", "claim_out", "401 200 400 404 200 404 200", lambda w: {"consent_note": "电话确认"}),
    row("POST /api/v1/claims/{claim_id}/review", "claim_ver", "401 201 403 404 201 404 201", lambda w: {"stars": 5, "comment": "很耐心", "consent_note": "电话回访"}),
    # Corrections: the claimant asks; staff of the task's community decide; the beneficiary never sees them.
    row("POST /api/v1/claims/{claim_id}/corrections", "claim_ver", "401 403 201 404 403 404 403", lambda w: {"hours": "1.25", "reason": "多服务了一刻钟"}),
    row("POST /api/v1/corrections/{correction_id}/decide", "correction", "401 404 403 404 200 404 200", lambda w: {"approve": True, "reply": "属实"}),
    row("POST /api/v1/reviews/{review_id}/hide", "review", "401 403 403 403 200 403 200", lambda w: {"reason": "含电话号码"}),
    row("GET /api/v1/volunteers/{user_id}/reputation", "volunteer", "200 200 200 200 200 200 200"),
    row("GET /api/v1/volunteers/{user_id}/record", "volunteer", "401 404 200 404 200 404 200"),
    # A certificate: the volunteer, staff of the community that recorded the service, the district admin.
    row("GET /api/v1/volunteers/{user_id}/certificate", "volunteer", "401 404 200 404 200 404 200"),
    # Verification is public (a forged code is 404: tests/records/test_certificates.py).
    row("GET /api/v1/certificates/{code}", "certificate", "200 200 200 200 200 200 200"),
    # Donations and funds (the resident gave)
    row("GET /api/v1/donations/{donation_id}", "donation", "404 200 404 404 200 404 200"),
    # Paying needs the payment's client secret, whoever asks: without it, nobody may.
    row("POST /api/v1/donations/{donation_id}/pay", "donation", "403 403 403 403 403 403 403",
        lambda w: {"client_secret": "pi_wrong_secret", "token": "tok_visa"}),
    row("POST /api/v1/donations/{donation_id}/refund", "donation", "401 403 404 404 200 404 200"),
    row("GET /api/v1/funds/{community_id}", "community", "200 200 200 200 200 200 200"),
    row("POST /api/v1/communities/{community_id}/spending", "community", "401 403 403 403 201 403 201",
        lambda w: {"amount": 100, "spent_on": date.today().isoformat(), "purpose": "购买慰问品", "payee": "社区超市"}),
    # Assistance applications (#30): the resident applied; the organisation verifies app_ver. Only the
    # applicant, staff of the community and the organisation it is delegated to know it exists (the
    # district admin too gets 404: the district sees figures without names).
    row("GET /api/v1/assistance/applications/{application_id}", "app_ver", "401 200 404 200 200 404 404"),
    row("POST /api/v1/assistance/applications/{application_id}/delegate", "app_sub", "401 403 404 404 200 404 404",
        lambda w: {"organization_id": w.ids["org"], "note": "请核实社保信息"}),
    row("POST /api/v1/assistance/applications/{application_id}/report", "app_ver", "401 403 404 200 403 404 404",
        lambda w: {"findings": "社保信息未更新", "recommendation": "approve"}),
    row("POST /api/v1/assistance/applications/{application_id}/decide", "app_sub", "401 403 404 404 200 404 404",
        lambda w: {"approve": True, "reason": "符合低保条件"}),
    row("POST /api/v1/assistance/applications/{application_id}/referrals", "app_sub", "401 403 404 404 201 404 404",
        lambda w: {"to_text": "区残联", "what": "电动轮椅"}),
    row("POST /api/v1/assistance/applications/{application_id}/withdraw", "app_sub", "401 200 404 404 403 404 404"),
]

#                 roles:  anon  res  vol  org  staff other super
PAGES = [
    # Accounts, communities, organisations
    row("POST /accounts/lockouts/<int:user_id>/unlock/", "resident", "login 403 403 403 ok 403 ok"),
    row("GET /communities/<int:community_id>/", "community", "200 200 200 200 200 200 200"),
    # Guardians, service cards, assisted registration (#22)
    row("POST /me/guardians/<int:user_id>/remove/", "newcomer", "login ok 404 404 404 404 404"),
    row("POST /me/guardian-requests/<int:user_id>/accept/", "asker", "login 404 ok 404 404 404 404"),
    row("POST /me/guardian-requests/<int:user_id>/decline/", "asker", "login 404 ok 404 404 404 404"),
    row("GET /needs/wards/<int:user_id>/", "elder", "login 404 200 404 404 404 404"),
    row("GET /communities/<int:community_id>/residents/new/", "community", "login 403 403 403 200 403 200"),
    row("GET /communities/<int:community_id>/residents/", "community", "login 403 403 403 200 403 200"),
    row("POST /communities/<int:community_id>/residents/new/", "community", "login 403 403 403 ok 403 ok", lambda w: {"display_name": "李大爷"}),
    row("GET /communities/<int:community_id>/residents/<int:user_id>/", "community resident", "login 403 403 403 200 403 200"),
    row("GET /communities/<int:community_id>/residents/<int:user_id>/service-card/", "community resident", "login 403 403 403 200 403 200"),
    row("POST /communities/<int:community_id>/residents/<int:user_id>/service-card/", "community resident", "login 403 403 403 ok 403 ok"),
    row("POST /communities/<int:community_id>/join/", "community", "login ok refused ok ok ok ok", lambda w: {"role": "volunteer"}),
    # A reset link is answered the same for everyone: a forged one shows "not valid" (200).
    row("GET /accounts/reset/<uidb64>/<token>/", "reset_uid reset_token", "200 200 200 200 200 200 200"),
    row("POST /communities/<int:community_id>/members/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"person": "newcomer", "role": "resident"}),
    row("GET /organizations/<int:organization_id>/", "org", "200 200 200 200 200 200 200"),
    row("POST /organizations/<int:organization_id>/verify/", "org_pending", "login 404 404 404 ok 403 ok"),
    row("POST /organizations/<int:organization_id>/suspend/", "org_pending", "login 404 404 404 ok 403 ok", lambda w: {"reason": "材料不全"}),
    row("POST /organizations/<int:organization_id>/members/", "org", "login 403 403 ok 403 403 ok", lambda w: {"person": "newcomer"}),
    row("POST /organizations/<int:organization_id>/contact/", "org", "login 403 403 ok 403 403 ok", lambda w: {"contact_phone": "023-6512 3456"}),
    row("POST /accounts/invitations/<int:invitation_id>/accept/", "invitation", "login 404 ok 404 404 404 404"),
    row("POST /accounts/invitations/<int:invitation_id>/decline/", "invitation", "login 404 ok 404 404 404 404"),
    # Points and the supermarket
    row("GET /communities/<int:community_id>/rewards/", "community", "200 200 200 200 200 200 200"),
    row("GET /communities/<int:community_id>/rewards/new/", "community", "login 403 403 403 200 403 200"),
    row("POST /communities/<int:community_id>/rewards/new/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"name": "肥皂", "cost": 5, "stock": 20, "is_active": "on"}),
    row("GET /communities/<int:community_id>/rewards/<int:reward_id>/edit/", "community reward", "login 403 403 403 200 403 200"),
    row("POST /communities/<int:community_id>/rewards/<int:reward_id>/edit/", "community reward", "login 403 403 403 ok 403 ok",
        lambda w: {"name": "环保袋", "cost": 10, "stock": 5, "is_active": "on"}),
    # Staff are members too, but hold no points here; the superuser and outsiders are not members.
    # The other community's staff member may shop here too (the two communities are allied, #34),
    # and is refused for want of points rather than for being from elsewhere.
    row("POST /rewards/<int:reward_id>/redeem/", "reward", "login refused ok 403 refused refused 403", lambda w: {"quantity": 1}),
    row("POST /redemptions/<int:redemption_id>/cancel/", "redemption", "login 404 ok 404 ok 404 ok", lambda w: {"reason": "缺货"}),
    row("GET /communities/<int:community_id>/points/", "community", "login 403 403 403 200 403 200"),
    row("POST /communities/<int:community_id>/points/award/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"person": "volunteer", "amount": 5, "reason": "参加议事会"}),
    row("POST /communities/<int:community_id>/points/rules/", "community", "login 403 403 403 ok 403 ok", lambda w: {"reservation_days": 7}),
    row("POST /communities/<int:community_id>/points/budget/", "community", "login 403 403 403 403 403 ok", lambda w: {"amount": 100}),
    row("POST /communities/<int:community_id>/redemptions/<int:redemption_id>/fulfil/", "community redemption",
        "login 404 403 404 ok 404 ok", lambda w: {"code": w.redemption_code}),
    row("GET /communities/<int:community_id>/ledger/export/", "community", "login 403 403 403 200 403 200"),
    row("GET /communities/<int:community_id>/volunteers/export/", "community", "login 403 403 403 200 403 200"),
    # Tasks
    row("GET /tasks/new/<int:community_id>/", "community", "login 403 403 403 200 403 200"),
    row("POST /tasks/new/<int:community_id>/", "community", "login 403 403 403 ok 403 ok", task_form),
    row("GET /tasks/<int:task_id>/", "task_free", "200 200 200 200 200 200 200"),
    row("GET /tasks/<int:task_id>/card/", "task_free", "200 200 200 200 200 200 200"),
    row("GET /tasks/<int:task_id>/calendar.ics", "task_draft", "404 404 404 404 200 404 200"),
    # Reminders, email and calendars (reach): no login, the secret in the address is the credential.
    row("GET /calendar/<token:token>.ics", "volunteer_calendar", "200 200 200 200 200 200 200"),
    row("GET /email/unsubscribe/<token:token>/", "volunteer_unsubscribe", "200 200 200 200 200 200 200"),
    row("POST /email/unsubscribe/<token:token>/", "volunteer_unsubscribe", "200 200 200 200 200 200 200"),
    row("GET /tasks/<int:task_id>/edit/", "task_free", "login 403 403 403 200 403 200"),
    row("POST /tasks/<int:task_id>/edit/", "task_free", "login 403 403 403 ok 403 ok", task_form),
    row("POST /tasks/<int:task_id>/cancel/", "task_free", "login 403 403 403 ok 403 ok", lambda w: {"reason": "下雨"}),
    row("POST /tasks/<int:task_id>/publish/", "task_draft", "login 404 404 404 ok 404 ok"),
    row("POST /tasks/<int:task_id>/complete/", "task_sub", "login 403 403 403 ok 403 ok"),
    row("POST /tasks/<int:task_id>/claim/", "task_free", "login 403 ok 403 403 403 403"),
    row("POST /tasks/<int:task_id>/waitlist/", "task_full", "login 403 ok 403 403 403 403"),
    row("POST /tasks/<int:task_id>/waitlist/leave/", "task_full", "login ok ok ok ok ok ok"),
    # Claims and reviews
    row("POST /claims/<int:claim_id>/withdraw/", "claim_now", "login 403 ok 404 403 404 403"),
    row("POST /claims/<int:claim_id>/check-in/", "claim_now", "login 403 ok 404 403 404 403", lambda w: {"code": checkin_code(w, "task_now")}),
    row("POST /claims/<int:claim_id>/check-out/", "claim_in", "login 403 ok 404 403 404 403", lambda w: {"code": checkin_code(w, "task_in")}),
    row("POST /claims/<int:claim_id>/submit/", "claim_out", "login 403 ok 404 403 404 403", lambda w: {"note": "陪老人聊天"}),
    row("POST /claims/<int:claim_id>/verify/", "claim_sub", "login 403 403 404 ok 404 ok"),
    row("POST /claims/<int:claim_id>/reject/", "claim_sub", "login 403 403 404 ok 404 ok", lambda w: {"reason": "未到场"}),
    row("POST /claims/<int:claim_id>/review/", "claim_ver", "login ok 403 404 ok 404 ok", lambda w: {"stars": "5", "comment": "很耐心", "consent_note": "电话回访"}),
    row("GET /claims/<int:claim_id>/confirm/", "claim_out", "login 200 200 404 200 404 200"),
    row("POST /claims/<int:claim_id>/confirm/", "claim_out", "login ok refused 404 ok 404 ok", lambda w: {"consent_note": "电话确认"}),
    row("GET /claims/<int:claim_id>/rate/", "claim_ver", "login 200 403 404 200 404 200"),
    row("POST /claims/<int:claim_id>/rate/", "claim_ver", "login ok 403 404 ok 404 ok", lambda w: {"stars": "4", "consent_note": "电话回访"}),
    row("POST /claims/<int:claim_id>/correction/", "claim_ver", "login 403 ok 404 403 404 403", lambda w: {"hours": "1.25", "reason": "多服务了一刻钟"}),
    row("POST /claims/corrections/<int:correction_id>/decide/", "correction", "login 404 403 404 ok 404 ok", lambda w: {"approve": "1", "reply": "属实"}),
    row("POST /claims/reviews/<int:review_id>/hide/", "review", "login 403 403 403 ok 403 ok", lambda w: {"reason": "含电话号码"}),
    row("GET /volunteers/<int:user_id>/record/", "volunteer", "404 404 200 404 200 404 200"),
    row("GET /volunteers/<int:user_id>/certificate/", "volunteer", "404 404 200 404 200 404 200"),
    row("GET /certificates/<code:code>/", "certificate", "200 200 200 200 200 200 200"),
    # Needs and the feedback board
    row("GET /needs/new/<int:community_id>/", "community", "login 200 200 200 200 200 200"),
    row("POST /needs/new/<int:community_id>/", "community", "login ok 403 403 403 403 403",
        lambda w: {"title": "楼道灯坏了", "category": "repair", "urgency": "2"}),
    row("GET /needs/<int:need_id>/", "need_sub", "404 200 404 404 200 404 200"),
    row("POST /needs/<int:need_id>/triage/", "need_sub", "login 403 404 404 ok 404 ok", lambda w: {"track": "minor", "reply": "社区来办"}),
    row("GET /needs/<int:need_id>/task/", "need_tri", "login 403 404 404 200 404 200"),
    row("POST /needs/<int:need_id>/task/", "need_tri", "login 403 404 404 ok 404 ok", task_form),
    row("POST /needs/<int:need_id>/resolve/", "need_tri", "login 403 404 404 ok 404 ok", lambda w: {"reply": "已修好"}),
    row("POST /needs/<int:need_id>/close/", "need_sub", "login ok 404 404 ok 404 ok", lambda w: {"reply": "不再需要"}),
    row("GET /communities/<int:community_id>/feedback/", "community", "200 200 200 200 200 200 200"),
    # Consultations
    row("GET /consultations/community/<int:community_id>/", "community", "200 200 200 200 200 200 200"),
    row("GET /consultations/community/<int:community_id>/new/", "community", "login 403 403 403 200 403 200"),
    row("POST /consultations/community/<int:community_id>/new/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"title": "加装电梯", "options": "同意\n不同意", "closes_at": _local(w.now + timedelta(days=7))}),
    row("GET /consultations/<int:consultation_id>/", "cons_open", "200 200 200 200 200 200 200"),
    row("POST /consultations/<int:consultation_id>/vote/", "cons_open", "login ok 403 403 403 403 403", lambda w: {"option": w.ids["option"]}),
    row("POST /consultations/<int:consultation_id>/comment/", "cons_open", "login ok 403 403 ok 403 ok", lambda w: {"body": "赞成"}),
    row("POST /consultations/<int:consultation_id>/decide/", "cons_closed", "login 403 403 403 ok 403 ok", lambda w: {"decision": "按多数意见办"}),
    row("POST /consultations/comments/<int:comment_id>/hide/", "comment", "login 403 403 403 ok 403 ok", lambda w: {"reason": "人身攻击"}),
    # Projects, bids, contracts
    row("GET /projects/new/<int:community_id>/", "community", "login 403 403 403 200 403 200"),
    row("POST /projects/new/<int:community_id>/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"title": "助老服务", "budget_yuan": "10000", "bid_deadline": _local(w.now + timedelta(days=20)),
                   "criteria": "服务方案 40\n经验与团队 30\n报价 30"}),
    row("GET /projects/<int:project_id>/", "p_open", "200 200 200 200 200 200 200"),
    row("POST /projects/<int:project_id>/bid/", "p_open", "login 403 403 ok 403 403 403",
        lambda w: {"organization": w.ids["org"], "amount_yuan": "4000", "proposal": "入户探访方案"}),
    row("POST /projects/<int:project_id>/award/", "p_closed", "login 403 403 403 ok 403 ok",
        lambda w: {"bid": w.ids["bid_closed"], "reason": "综合得分最高"}),
    row("POST /projects/bids/<int:bid_id>/withdraw/", "bid_open", "login 404 404 ok 404 404 404"),
    # A sealed bid's attachment: only the bidder before the deadline; strangers get 404, not a login.
    row("GET /projects/bids/<int:bid_id>/attachment/", "bid_open", "404 404 404 200 404 404 404"),
    row("POST /projects/bids/<int:bid_id>/score/", "bid_closed", "login 404 404 403 ok 404 ok", lambda w: scores(w, prefix="c")),
    row("POST /projects/contracts/<int:contract_id>/milestones/", "c_awarded", "login 403 403 403 ok 403 ok",
        lambda w: {"milestones": f"服务总结|2030-01-31|{w.contract_amount / 100:.2f}"}),
    row("POST /projects/contracts/<int:contract_id>/review/", "c_done", "login 403 403 403 ok 403 ok", lambda w: {"stars": "5"}),
    row("POST /projects/milestones/<int:milestone_id>/submit/", "m_pending", "login 403 403 ok 403 403 403", lambda w: {"evidence": "活动照片 12 张"}),
    row("POST /projects/milestones/<int:milestone_id>/accept/", "m_submitted", "login 403 403 403 ok 403 ok"),
    row("POST /projects/milestones/<int:milestone_id>/return/", "m_submitted", "login 403 403 403 ok 403 ok", lambda w: {"comment": "缺签到表"}),
    # Dashboards and public information (the dashboard is not behind the login: strangers get 403)
    row("GET /communities/<int:community_id>/info/", "community", "200 200 200 200 200 200 200"),
    row("GET /communities/<int:community_id>/dashboard/", "community", "403 403 403 403 200 403 200"),
    row("GET /communities/<int:community_id>/workbench/", "community", "403 403 403 403 200 403 200"),
    # Donations and funds
    row("GET /donations/<int:donation_id>/receipt/", "donation", "404 200 404 404 200 404 200"),
    row("POST /donations/<int:donation_id>/refund/", "donation", "login 403 404 404 ok 404 ok"),
    row("GET /communities/<int:community_id>/donations/export/", "community", "login 403 403 403 200 403 200"),
    row("GET /communities/<int:community_id>/funds/", "community", "200 200 200 200 200 200 200"),
    row("POST /communities/<int:community_id>/funds/spending/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"amount_yuan": "1", "spent_on": date.today().isoformat(), "purpose": "购买慰问品", "payee": "社区超市"}),
    row("GET /communities/<int:community_id>/projects/<int:project_id>/funds/", "community p_open", "200 200 200 200 200 200 200"),
    # Spending is public information; its voucher is served through the record, not by /media/.
    row("GET /communities/<int:community_id>/funds/spending/<int:spending_id>/voucher/", "community spending", "200 200 200 200 200 200 200"),
    # Assistance applications (#30): strangers get 404 (not a login page) for an application and its documents.
    row("GET /assistance/<int:application_id>/", "app_ver", "404 200 404 200 200 404 404"),
    row("GET /assistance/<int:application_id>/documents/<int:document_id>/", "app_ver app_doc", "404 200 404 200 200 404 404"),
    row("POST /assistance/<int:application_id>/withdraw/", "app_sub", "login ok 404 404 403 404 404"),
    row("POST /assistance/<int:application_id>/delegate/", "app_sub", "login 403 404 404 ok 404 404", lambda w: {"organization": w.ids["org"]}),
    row("POST /assistance/<int:application_id>/decide/", "app_sub", "login 403 404 404 ok 404 404", lambda w: {"approve": "1", "reason": "符合条件"}),
    row("POST /assistance/<int:application_id>/referrals/", "app_sub", "login 403 404 404 ok 404 404", lambda w: {"to_text": "区残联", "what": "电动轮椅"}),
    row("POST /assistance/<int:application_id>/report/", "app_ver", "login 403 404 ok 403 404 404",
        lambda w: {"findings": "社保信息未更新", "recommendation": "approve"}),
    row("POST /assistance/<int:application_id>/documents/", "app_sub", "login ok 404 404 ok 404 404",
        lambda w: {"documents": SimpleUploadedFile("证明.pdf", b"%PDF-1.4 certificate")}),
    row("GET /communities/<int:community_id>/assistance/", "community", "login 403 403 403 200 403 403"),
]

# --- Public affairs and supervision reports (affairs, #31): the fund is the community's, the report
# the resident's, anonymous (its author is only the district admin's to know).
API += [
    row("GET /api/v1/public/funds/{fund_id}", "fund", "200 200 200 200 200 200 200"),
    row("POST /api/v1/public/funds/{fund_id}/spending", "fund", "401 403 403 403 201 403 201",
        lambda w: {"amount": 100, "what": "助餐补贴", "at": date.today().isoformat()}),
    row("GET /api/v1/reports/{tracking_no}", "report_no", "401 200 404 404 404 404 200"),
    row("POST /api/v1/reports/{report_id}/reply", "report", "401 404 404 404 200 404 200",
        lambda w: {"reply": "已受理", "status": "in_progress"}),
    row("POST /api/v1/reports/{report_id}/escalate", "report", "401 404 404 404 200 404 200"),
]
PAGES += [
    row("GET /affairs/policies/<int:policy_id>/", "policy", "200 200 200 200 200 200 200"),
    row("GET /affairs/services/<int:item_id>/", "service_item", "200 200 200 200 200 200 200"),
    row("GET /affairs/funds/<int:fund_id>/", "fund", "200 200 200 200 200 200 200"),
    row("POST /affairs/funds/<int:fund_id>/spending/", "fund", "login 403 403 403 ok 403 ok",
        lambda w: {"amount_yuan": "1", "what": "助餐补贴", "at": date.today().isoformat()}),
    # Spending is public information; its voucher is served through the line, not by /media/.
    row("GET /affairs/funds/lines/<int:line_id>/voucher/", "fund_line", "200 200 200 200 200 200 200"),
    row("GET /affairs/reports/track/<str:tracking_no>/", "report_no", "login 200 404 404 404 404 200"),
    row("POST /affairs/reports/<int:report_id>/reply/", "report", "login 404 404 404 ok 404 ok",
        lambda w: {"reply": "已受理", "status": "in_progress"}),
    row("POST /affairs/reports/<int:report_id>/escalate/", "report", "login 404 404 404 ok 404 ok"),
    row("GET /affairs/manage/<int:community_id>/", "community", "403 403 403 403 200 403 200"),
    row("POST /affairs/manage/<int:community_id>/policies/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"title": "高龄津贴", "category": "elderly", "issuer": "江北区民政局", "summary": "80 周岁以上", "effective_at": "2026-01-01"}),
    row("POST /affairs/manage/<int:community_id>/service-items/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"name": "高龄津贴申领", "category": "elderly", "where": "便民服务中心", "how_to_apply": "携带身份证"}),
    row("POST /affairs/manage/<int:community_id>/funds/", "community", "login 403 403 403 ok 403 ok",
        lambda w: {"name": "惠民资金", "source": "government", "amount_yuan": "1000", "year": "2026"}),
]

# --- Participatory budgets and points across communities (#34): budgets and results are public;
# residents of the area propose and vote; staff of the community review, enter paper ballots, close
# and fund; the alliance's balances are for the district admin and staff of its communities.
def _rules(w) -> dict:
    return {"title": "民生实事", "amount": 5_000_000, "voting_opens": _iso(w.now + timedelta(days=4)), "voting_closes": _iso(w.now + timedelta(days=11))}


API += [
    row("GET /api/v1/budgets/{budget_id}", "budget", "200 200 200 200 200 200 200"),
    row("PUT /api/v1/budgets/{budget_id}", "budget", "401 403 403 403 200 403 200", _rules),
    row("GET /api/v1/budgets/{budget_id}/proposals", "budget", "200 200 200 200 200 200 200"),
    row("POST /api/v1/budgets/{budget_id}/proposals", "budget", "401 201 201 403 201 403 403", lambda w: {"title": "路灯", "text": "x", "cost": 100}),
    row("POST /api/v1/proposals/{proposal_id}/review", "proposal", "401 403 403 403 200 403 200", lambda w: {"feasible": True}),
    row("POST /api/v1/budgets/{budget_id}/ballots", "budget_voting", "401 201 403 403 403 403 403",
        lambda w: {"proposal_ids": [w.ids["proposal_voting"]]}),
    row("GET /api/v1/budgets/{budget_id}/ballots/mine", "budget_closed", "401 200 404 404 404 404 404"),
    row("POST /api/v1/budgets/{budget_id}/close", "budget_voting", "401 403 403 403 200 403 200"),
    row("GET /api/v1/budgets/{budget_id}/results", "budget_closed", "200 200 200 200 200 200 200"),
    row("POST /api/v1/proposals/{proposal_id}/fund", "proposal_won", "401 403 403 403 201 403 201",
        lambda w: {"bid_deadline": _iso(w.now + timedelta(days=20))}),
    row("GET /api/v1/points/alliances/{alliance_id}", "alliance", "200 200 200 200 200 200 200"),
    row("GET /api/v1/points/alliances/{alliance_id}/balances", "alliance", "401 403 403 403 200 200 200"),
]
PAGES += [
    row("GET /budgets/<int:budget_id>/", "budget", "200 200 200 200 200 200 200"),
    row("POST /budgets/<int:budget_id>/proposals/", "budget", "login ok ok 403 ok 403 403", lambda w: {"title": "路灯", "text": "x", "cost_yuan": "1"}),
    row("POST /budgets/<int:budget_id>/vote/", "budget_voting", "login ok 403 403 403 403 403", lambda w: {"proposal_ids": [w.ids["proposal_voting"]]}),
    row("GET /budgets/<int:budget_id>/paper/", "budget_voting", "login 403 403 403 200 403 200"),
    row("POST /budgets/<int:budget_id>/paper/", "budget_voting", "login 403 403 403 ok 403 ok",
        lambda w: {"voter": w.ids["resident"], "proposal_ids": [w.ids["proposal_voting"]]}),
    row("POST /budgets/<int:budget_id>/close/", "budget_voting", "login 403 403 403 ok 403 ok"),
    row("POST /budgets/proposals/<int:proposal_id>/review/", "proposal", "login 403 403 403 ok 403 ok", lambda w: {"feasible": "1"}),
    row("POST /budgets/proposals/<int:proposal_id>/fund/", "proposal_won", "login 403 403 403 ok 403 ok",
        lambda w: {"bid_deadline": _local(w.now + timedelta(days=20))}),
    row("GET /budgets/new/<int:community_id>/", "community", "login 403 403 403 200 403 200"),
    row("POST /budgets/new/<int:community_id>/", "community", "login 403 403 403 ok 403 ok", lambda w: _rules(w) | {"amount_yuan": "50000"}),
    # A street's budget: the district admin only (the alliances' page has no id: tests/points/test_alliance_pages.py).
    row("GET /budgets/new/street/<int:street_id>/", "street", "login 403 403 403 403 403 200"),
    row("POST /budgets/new/street/<int:street_id>/", "street", "login 403 403 403 403 403 ok", lambda w: _rules(w) | {"amount_yuan": "50000"}),
    row("GET /points/alliances/<int:alliance_id>/", "alliance", "login 403 403 403 200 200 200"),
]

# --- Deliberation and conduct points (#32): the community's business is its members'; other staff and
# strangers get 404. The open meeting has an open motion; the closed one two passed motions (one with
# its convention); the pending award was proposed by staff, so only another staff member approves it.
API += [
    row("GET /api/v1/communities/{community_id}/stewards", "community", "401 200 200 404 200 404 200"),
    row("POST /api/v1/communities/{community_id}/stewards", "community", "401 403 403 403 201 403 201", lambda w: {"user_id": w.ids["resident"]}),
    row("DELETE /api/v1/communities/{community_id}/stewards/{user_id}", "community steward", "401 403 403 403 204 403 204"),
    row("GET /api/v1/communities/{community_id}/issues", "community", "401 200 200 404 200 404 200"),
    row("POST /api/v1/communities/{community_id}/issues", "community", "401 403 403 403 201 403 201", lambda w: {"title": "高空抛物"}),
    row("POST /api/v1/issues/{issue_id}/consultation", "issue", "401 403 403 404 201 404 201",
        lambda w: {"options": ["赞成", "反对"], "closes_at": _iso(w.now + timedelta(days=3))}),
    row("GET /api/v1/communities/{community_id}/meetings", "community", "401 200 200 404 200 404 200"),
    row("POST /api/v1/communities/{community_id}/meetings", "community", "401 403 403 403 201 403 201",
        lambda w: {"title": "议事会", "starts_at": _iso(w.now + timedelta(days=3)), "location": "会议室", "issue_ids": [w.ids["issue"]]}),
    row("GET /api/v1/meetings/{meeting_id}", "meeting", "401 200 200 404 200 404 200"),
    row("POST /api/v1/meetings/{meeting_id}/attendance", "meeting", "401 403 403 404 200 404 200", lambda w: {"user_ids": [w.ids["resident"]]}),
    row("POST /api/v1/meetings/{meeting_id}/motions", "meeting", "401 403 403 404 201 404 201", lambda w: {"title": "再议"}),
    row("POST /api/v1/meetings/{meeting_id}/minutes", "meeting_done", "401 403 403 404 200 404 200", lambda w: {"text": "通过公约"}),
    # Only a steward present votes: nobody of the seven is one (the steward votes in tests/deliberation).
    row("POST /api/v1/motions/{motion_id}/votes", "motion", "401 403 403 404 403 404 403", lambda w: {"vote": "for"}),
    row("POST /api/v1/motions/{motion_id}/close", "motion", "401 403 403 404 200 404 200"),
    row("POST /api/v1/communities/{community_id}/conventions", "community", "401 403 403 403 201 403 201",
        lambda w: {"title": "楼道公约", "text": "不堆杂物", "motion_id": w.ids["motion_passed"]}),
    row("GET /api/v1/conventions/{convention_id}", "convention", "200 200 200 200 200 200 200"),
    row("POST /api/v1/conventions/{convention_id}/sign", "convention", "401 201 403 403 403 403 403"),
    row("POST /api/v1/communities/{community_id}/conduct-rules", "community", "401 403 403 403 201 403 201", lambda w: {"title": "清理楼道", "points": 5}),
    row("POST /api/v1/conduct-rules/{rule_id}/awards", "rule", "401 403 403 403 201 403 201",
        lambda w: {"user_id": w.ids["resident"], "evidence": "清理楼道杂物"}),
    row("POST /api/v1/conduct-awards/{award_id}/approve", "award", "401 403 404 404 403 404 200"),
    row("POST /api/v1/conduct-awards/{award_id}/reject", "award", "401 403 404 404 403 404 200", lambda w: {"reason": "证据不足"}),
]
PAGES += [
    row("GET /deliberation/communities/<int:community_id>/", "community", "login 200 200 404 200 404 200"),
    row("POST /deliberation/communities/<int:community_id>/stewards/", "community", "login 403 403 404 ok 404 ok", lambda w: {"user": w.ids["resident"]}),
    row("POST /deliberation/communities/<int:community_id>/stewards/<int:user_id>/remove/", "community steward", "login 403 403 404 ok 404 ok"),
    row("POST /deliberation/communities/<int:community_id>/issues/", "community", "login 403 403 404 ok 404 ok", lambda w: {"title": "高空抛物"}),
    row("POST /deliberation/communities/<int:community_id>/meetings/", "community", "login 403 403 404 ok 404 ok",
        lambda w: {"title": "议事会", "starts_at": _local(w.now + timedelta(days=3)), "location": "会议室"}),
    row("GET /deliberation/meetings/<int:meeting_id>/", "meeting", "login 200 200 404 200 404 200"),
    row("POST /deliberation/meetings/<int:meeting_id>/attendance/", "meeting", "login 403 403 404 ok 404 ok", lambda w: {"present": w.ids["resident"]}),
    row("POST /deliberation/meetings/<int:meeting_id>/motions/", "meeting", "login 403 403 404 ok 404 ok", lambda w: {"title": "再议"}),
    row("POST /deliberation/meetings/<int:meeting_id>/minutes/", "meeting_done", "login 403 403 404 ok 404 ok", lambda w: {"text": "通过公约"}),
    row("POST /deliberation/motions/<int:motion_id>/vote/", "motion", "login 403 403 404 403 404 403", lambda w: {"vote": "for"}),
    row("POST /deliberation/motions/<int:motion_id>/close/", "motion", "login 403 403 404 ok 404 ok"),
    row("POST /deliberation/motions/<int:motion_id>/convention/", "motion_passed", "login 403 403 404 ok 404 ok",
        lambda w: {"title": "楼道公约", "text": "不堆杂物"}),
    row("GET /deliberation/conventions/<int:convention_id>/", "convention", "200 200 200 200 200 200 200"),
    row("POST /deliberation/conventions/<int:convention_id>/sign/", "convention", "login ok 403 403 403 403 403"),
    row("GET /deliberation/communities/<int:community_id>/conduct/", "community", "login 403 403 404 200 404 200"),
    row("POST /deliberation/communities/<int:community_id>/conduct/rules/", "community", "login 403 403 404 ok 404 ok",
        lambda w: {"title": "清理楼道", "points": "5"}),
    row("POST /deliberation/communities/<int:community_id>/conduct/awards/", "community", "login 403 403 404 ok 404 ok",
        lambda w: {"rule": w.ids["rule"], "user": w.ids["resident"], "evidence": "清理楼道杂物"}),
    row("POST /deliberation/conduct-awards/<int:award_id>/approve/", "award", "login 403 404 404 403 404 ok"),
    row("POST /deliberation/conduct-awards/<int:award_id>/reject/", "award", "login 403 404 404 403 404 ok", lambda w: {"reason": "证据不足"}),
    # The evidence photo: the resident it is for and the community's staff; strangers get 404, not a login.
    row("GET /deliberation/conduct-awards/<int:award_id>/photo/", "award", "404 200 404 404 200 404 200"),
]
# --- Rooms, talents, community groups, annual reports (resources, #33): the room is public, the
# booking the resident's, the handover the organisation's, the group pending, the report filed.
def _later(w, hour: int) -> str:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=3), clock(hour))).isoformat()


API += [
    row("GET /api/v1/venues/{venue_id}", "venue", "200 200 200 200 200 200 200"),
    row("GET /api/v1/venues/{venue_id}/week", "venue", "200 200 200 200 200 200 200"),
    row("GET /api/v1/venues/{venue_id}/handovers", "venue", "200 200 200 200 200 200 200"),
    row("POST /api/v1/venues/{venue_id}/bookings", "venue", "401 201 201 403 201 403 201",
        lambda w: {"starts_at": _later(w, 10), "ends_at": _later(w, 12), "purpose": "合唱排练", "attendees": 10}),
    row("POST /api/v1/venues/{venue_id}/handovers", "venue", "401 403 403 403 201 403 201",
        lambda w: {"organization_id": w.ids["org"], "weekday": 3, "starts": "18:00", "ends": "20:00",
                   "from": (timezone.localdate() + timedelta(days=1)).isoformat(), "until": (timezone.localdate() + timedelta(days=30)).isoformat()}),
    row("POST /api/v1/venues/{venue_id}/tasks", "venue", "401 403 403 403 201 403 201",
        lambda w: {"title": "亲子绘本共读", "category": "childcare", "starts_at": _later(w, 18), "ends_at": _later(w, 20), "slots": 2}),
    row("GET /api/v1/bookings/{booking_id}", "booking", "401 200 404 404 200 404 200"),
    row("POST /api/v1/bookings/{booking_id}/approve", "booking", "401 403 404 404 200 404 200"),
    row("POST /api/v1/bookings/{booking_id}/reject", "booking", "401 403 404 404 200 404 200", lambda w: {"reason": "那天消防检查"}),
    row("POST /api/v1/bookings/{booking_id}/cancel", "booking", "401 200 404 404 200 404 200"),
    row("POST /api/v1/handovers/{handover_id}/end", "handover", "401 403 403 403 200 403 200"),
    row("GET /api/v1/communities/{community_id}/venue-usage", "community", "401 404 404 404 200 404 200"),
    row("POST /api/v1/talents/{user_id}/invitations", "talent", "401 403 403 201 201 403 201", lambda w: {"task_id": w.ids["task_free"]}),
    row("POST /api/v1/organizations/{organization_id}/filing", "group", "401 404 404 404 201 403 201", lambda w: {"leader_id": w.ids["leader"]}),
    row("GET /api/v1/organizations/{organization_id}/annual-reports", "org", "401 200 200 200 200 200 200"),
    row("POST /api/v1/organizations/{organization_id}/annual-reports", "org", "401 403 403 201 403 403 201",
        lambda w: {"year": timezone.localdate().year - 2, "summary": "年度活动", "income": 0, "spending": 0}),
    row("POST /api/v1/annual-reports/{report_id}/review", "annual_report", "401 404 404 403 200 404 200", lambda w: {"passed": True}),
    # A filed group's activities (org_admin is its member): members propose, staff of its community decide.
    row("POST /api/v1/organizations/{organization_id}/activities", "filed_group", "401 403 403 201 403 403 403",
        lambda w: {"title": "合唱快闪", "category": "culture", "starts_at": _later(w, 15), "ends_at": _later(w, 17), "location": "广场", "slots": 2}),
    row("GET /api/v1/activities/{activity_id}", "activity", "401 404 404 200 200 404 200"),
    row("POST /api/v1/activities/{activity_id}/approve", "activity", "401 404 404 403 200 404 200"),
    row("POST /api/v1/activities/{activity_id}/reject", "activity", "401 404 404 403 200 404 200", lambda w: {"reason": "场地维修"}),
]
PAGES += [
    row("GET /resources/venues/<int:venue_id>/", "venue", "200 200 200 200 200 200 200"),
    row("POST /resources/venues/<int:venue_id>/book/", "venue", "login ok ok 403 ok 403 ok",
        lambda w: {"day": (timezone.localdate() + timedelta(days=3)).isoformat(), "starts": "10:00", "ends": "12:00", "purpose": "合唱排练",
                   "attendees": "10"}),
    row("POST /resources/venues/<int:venue_id>/handovers/", "venue", "login 403 403 403 ok 403 ok",
        lambda w: {"organization": w.ids["org"], "weekday": "3", "starts": "18:00", "ends": "20:00",
                   "from": (timezone.localdate() + timedelta(days=1)).isoformat(), "until": (timezone.localdate() + timedelta(days=30)).isoformat()}),
    row("POST /resources/handovers/<int:handover_id>/end/", "handover", "login 403 403 403 ok 403 ok"),
    row("GET /resources/bookings/<int:booking_id>/", "booking", "login 200 404 404 200 404 200"),
    row("POST /resources/bookings/<int:booking_id>/<str:action>/", "booking approve", "login 403 404 404 ok 404 ok"),
    row("GET /resources/manage/<int:community_id>/", "community", "login 404 404 404 200 404 200"),
    row("POST /resources/manage/<int:community_id>/venues/", "community", "login 404 404 404 ok 404 ok",
        lambda w: {"name": "养老服务站", "capacity": "12", "opens": "09:00", "closes": "17:00", "max_hours": "3"}),
    row("POST /resources/talents/<int:user_id>/invite/", "talent", "login 403 403 ok ok 403 ok", lambda w: {"task": w.ids["task_free"]}),
    row("GET /resources/groups/<int:organization_id>/", "group", "404 404 404 404 200 200 200"),
    row("POST /resources/groups/<int:organization_id>/file/", "group", "login 404 404 404 ok 403 ok", lambda w: {"leader": w.ids["leader"]}),
    row("GET /resources/organizations/<int:organization_id>/annual-reports/", "org", "login 200 200 200 200 200 200"),
    row("POST /resources/annual-reports/<int:report_id>/review/", "annual_report", "login 404 404 403 ok 404 ok", lambda w: {"passed": "1"}),
    row("POST /resources/venues/<int:venue_id>/tasks/", "venue", "login 403 403 403 ok 403 ok",
        lambda w: {"title": "亲子绘本共读", "category": "childcare", "day": (timezone.localdate() + timedelta(days=3)).isoformat(),
                   "starts": "18:00", "ends": "20:00", "slots": "2"}),
    row("POST /resources/groups/<int:organization_id>/activities/", "filed_group", "login 403 403 ok 403 403 403",
        lambda w: {"title": "合唱快闪", "category": "culture", "day": (timezone.localdate() + timedelta(days=3)).isoformat(),
                   "starts": "15:00", "ends": "17:00", "location": "广场", "slots": "2"}),
    row("POST /resources/activities/<int:activity_id>/<str:action>/", "activity approve", "login 404 404 403 ok 404 ok"),
]

ROWS = API + PAGES


# --- What exists ------------------------------------------------------------------------------------
@functools.cache
def api_object_endpoints() -> set[str]:
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, operations in paths.items() if "{" in path for method in operations}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def page_object_patterns() -> set[str]:
    return {
        "/" + route
        for route in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PAGE_PREFIXES) and "<" in route
    }


def test_every_object_endpoint_has_a_row():
    """A new endpoint or page with an object id needs its row here: decide who may use it."""
    api_rows = {r.key for r in API}
    page_rows = {r.path for r in PAGES}
    missing = sorted(api_object_endpoints() - api_rows) + sorted(page_object_patterns() - page_rows)
    assert not missing, "No permission row for:\n  " + "\n  ".join(missing)


def test_no_row_is_left_over():
    stale = sorted({r.key for r in API} - api_object_endpoints()) + sorted({r.path for r in PAGES} - page_object_patterns())
    assert not stale, "Rows for endpoints that no longer exist:\n  " + "\n  ".join(stale)


def test_each_endpoint_has_one_row():
    keys = [r.key for r in ROWS]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


# --- The world ---------------------------------------------------------------------------------------
WEBHOOK_SECRET = "whsec_permission_matrix"


class FakeStripe:
    """Just enough of stripe.StripeClient for a donation to be created and refunded offline."""

    def __init__(self):
        self.count = 0
        self.v1 = SimpleNamespace(
            payment_intents=SimpleNamespace(create=self._intent), refunds=SimpleNamespace(create=lambda **kw: SimpleNamespace(id="re_matrix"))
        )

    def _intent(self, params, options=None):
        self.count += 1
        return SimpleNamespace(id=f"pi_matrix_{self.count}", client_secret=f"pi_matrix_{self.count}_secret_{self.count}")


def _signed_event(payload: dict) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    stamp = int(time.time())
    signature = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={signature}"


def _delivered(*, task, volunteer, staff, at, until: str):
    """Claim a task starting 10 minutes after ``at`` and carry the claim on (at the right times)
    up to ``until``: claimed, checked_in, checked_out, submitted or verified."""
    from marketplace.services import task_checkin_code
    from orders import services as orders

    with time_machine.travel(at):
        claim = orders.claim_create(actor=volunteer, task=task)
    if until == "claimed":
        return claim
    with time_machine.travel(at + timedelta(minutes=15)):
        orders.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    if until == "checked_in":
        return claim
    with time_machine.travel(at + timedelta(hours=1)):
        orders.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    if until == "checked_out":
        return claim
    with time_machine.travel(at + timedelta(hours=1, minutes=5)):
        orders.claim_submit(actor=volunteer, claim=claim)
        if task.beneficiary_id:  # the person served confirmed it (#22): staff may verify it
            orders.claim_confirm(actor=task.beneficiary, claim=claim)
    if until == "submitted":
        return claim
    with time_machine.travel(at + timedelta(hours=1, minutes=10)):
        orders.claim_verify(actor=staff, claim=claim)
    return claim


def build_world():
    from accounts import services as accounts
    from accounts.models import Guardian, Membership, Organization, OrganizationMember
    from funds import services as funds
    from funds.models import Donation
    from marketplace import services as market
    from marketplace.services import TaskFields
    from orders import services as orders
    from points import services as points
    from records.services import certificate_issue
    from tests.factories import (
        CommunityFactory,
        MembershipFactory,
        OrganizationFactory,
        OrganizationMemberFactory,
        UserFactory,
        valid_credit_code,
    )

    now = timezone.now().replace(microsecond=0)
    community = CommunityFactory(name="锣旗寺社区")
    other_community = CommunityFactory(name="东原社区")
    users = {
        "staff": MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff").user,
        "other_staff": MembershipFactory(community=other_community, role=Membership.Role.STAFF, user__username="other_staff").user,
        "volunteer": MembershipFactory(community=community, role=Membership.Role.VOLUNTEER, user__username="volunteer").user,
        "resident": MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="resident").user,
        "superuser": UserFactory(username="district_admin", is_superuser=True, is_staff=True),
    }
    org = OrganizationFactory(community=community, name="重庆暖洋洋社会工作服务中心", credit_code=valid_credit_code(900_001))
    users["org_admin"] = OrganizationMemberFactory(organization=org, role=OrganizationMember.Role.ADMIN, user__username="org_admin").user
    staff, volunteer, resident, org_admin, superuser = (users[k] for k in ("staff", "volunteer", "resident", "org_admin", "superuser"))
    newcomer = UserFactory(username="newcomer")
    applicant = UserFactory(username="applicant")
    org_pending = accounts.organization_create(
        actor=applicant, name="新成立的志愿者协会", kind=Organization.Kind.SOCIAL_ORGANIZATION, credit_code=valid_credit_code(900_002), community=community
    )
    ids = {"community": community.pk, "org": org.pk, "org_pending": org_pending.pk, "newcomer": newcomer.pk}
    ids.update(reset_uid="MQ", reset_token="forged-token")  # a password reset link nobody was sent
    Guardian.objects.create(resident=users["resident"], guardian=newcomer, accepted_at=timezone.now())  # the resident's daughter (#22)
    elder = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="elder").user
    Guardian.objects.create(resident=elder, guardian=volunteer, accepted_at=timezone.now())  # her neighbour looks after her (#22)
    pending_ward = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="asker").user
    Guardian.objects.create(resident=pending_ward, guardian=users["volunteer"])  # asked the volunteer, no answer yet (#36)
    ids["asker"] = pending_ward.pk
    market.need_submit(actor=elder, community=community, title="想装扶手", description="卫生间")
    ids["elder"] = elder.pk
    invitation = accounts.membership_add(actor=users["other_staff"], community=other_community, user=users["volunteer"], role="volunteer")
    ids["invitation"] = invitation.pk
    ids.update({role: user.pk for role, user in users.items()})

    # Points: the district budgets the pool; the volunteer earned 100 and reserved a reward.
    points.points_budget(actor=superuser, community=community, amount=10_000)
    points.points_award(actor=staff, community=community, user=volunteer, amount=100, idempotency_key=points.new_key("matrix"))
    reward = points.reward_create(actor=staff, community=community, name="环保袋", cost=10, stock=10)
    redemption = points.redemption_reserve(actor=volunteer, reward=reward, quantity=1)
    ids.update(reward=reward.pk, redemption=redemption.pk)

    # Tasks, all for the resident; the volunteer's claims are at different times so none overlap.
    def make_task(start, *, length=timedelta(hours=2), draft=False, beneficiary=resident, slots=2):
        fields = TaskFields(
            title="陪伴独居老人", description="上门聊天、读报", category="elder_care", starts_at=start, ends_at=start + length,
            location="锣旗寺社区 3 栋", slots=slots, points=10, skills=[], beneficiary=beneficiary,
        )
        return market.task_create(actor=staff, community=community, fields=fields, draft=draft)

    ids["task_free"] = make_task(now + timedelta(days=3)).pk
    ids["task_draft"] = make_task(now + timedelta(days=4), draft=True).pk
    # Full: its one slot taken by another volunteer, so the volunteer may join its waiting list.
    task_full = make_task(now + timedelta(days=6), slots=1)
    orders.claim_create(actor=MembershipFactory(community=community, role=Membership.Role.VOLUNTEER).user, task=task_full)
    ids["task_full"] = task_full.pk
    # Checked in now, on a task that ends 5 minutes from now (check-out is open until an hour after).
    with time_machine.travel(now - timedelta(hours=1)):
        task_in = make_task(now - timedelta(minutes=50), length=timedelta(minutes=55))
    claim_in = _delivered(task=task_in, volunteer=volunteer, staff=staff, at=now - timedelta(hours=1), until="checked_in")
    # Starts in 10 minutes: still withdrawable, and check-in is open.
    task_now = make_task(now + timedelta(minutes=10))
    claim_now = orders.claim_create(actor=volunteer, task=task_now)
    ids.update(task_in=task_in.pk, claim_in=claim_in.pk, task_now=task_now.pk, claim_now=claim_now.pk)
    for name, days, until in (("out", 2, "checked_out"), ("sub", 3, "submitted"), ("ver", 4, "verified"), ("rev", 5, "verified")):
        at = now - timedelta(days=days)
        with time_machine.travel(at):
            task = make_task(at + timedelta(minutes=10))
        claim = _delivered(task=task, volunteer=volunteer, staff=staff, at=at, until=until)
        ids[f"task_{name}"], ids[f"claim_{name}"] = task.pk, claim.pk
    ids["review"] = orders.review_create(actor=resident, claim=orders_claim(ids["claim_rev"]), stars=2, comment="迟到").pk
    # A certificate of the volunteer's verified service, verified by its code.
    ids["certificate"] = certificate_issue(actor=volunteer, volunteer=volunteer)[0].code
    ids["correction"] = orders.correction_request(actor=volunteer, claim=orders_claim(ids["claim_rev"]), hours="1.50", reason="收拾多用了半小时").pk

    # Needs: one just submitted, one triaged as a minor matter.
    need_sub = market.need_submit(actor=resident, community=community, title="楼道灯坏了", description="3 栋 2 单元，家里有老人")
    need_tri = market.need_submit(actor=resident, community=community, title="路面积水", description="雨后积水")
    market.need_triage(actor=staff, need=need_tri, track="minor", reply="社区来办")
    ids.update(need_sub=need_sub.pk, need_tri=need_tri.pk)

    # Consultations: one open with a resident's comment, one closed.
    cons_open = market.consultation_open(actor=staff, community=community, title="加装电梯", options=["同意", "不同意"], closes_at=now + timedelta(days=7))
    comment = market.consultation_comment(actor=resident, consultation=cons_open, body="同意，尽快")
    with time_machine.travel(now - timedelta(days=3)):
        cons_closed = market.consultation_open(
            actor=staff, community=community, title="停车收费", options=["同意", "不同意"], closes_at=now - timedelta(days=2)
        )
    ids.update(cons_open=cons_open.pk, cons_closed=cons_closed.pk, comment=comment.pk, option=cons_open.options.first().pk)

    # Projects: open ones before the deadline (one with the organisation's sealed bid), and older
    # ones past it: one still being evaluated, one awarded, one delivering, one completed.
    def project(title, deadline):
        return market.project_create(actor=staff, community=community, title=title, budget=1_000_000, bid_deadline=deadline)

    def bid(p, amount=500_000, attachment=None):
        return orders.bid_submit(
            actor=org_admin, project=p, organization=org, amount=amount, proposal="入户探访，每周两次", attachment=attachment
        )

    ids["p_open"] = project("助老服务", now + timedelta(days=7)).pk
    p_bid = project("儿童托管", now + timedelta(days=7))
    ids.update(p_bid=p_bid.pk, bid_open=bid(p_bid, attachment=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 sealed")).pk)
    past = now - timedelta(days=10)
    with time_machine.travel(past):
        older = {name: project(f"项目{name}", past + timedelta(days=1)) for name in ("closed", "aw", "deliv", "done")}
        bids = {name: bid(p) for name, p in older.items()}
    ids.update(p_closed=older["closed"].pk, bid_closed=bids["closed"].pk)
    with time_machine.travel(past + timedelta(days=2)):
        contracts = {name: orders.project_award(actor=staff, project=older[name], bid=bids[name], reason="综合得分最高") for name in ("aw", "deliv", "done")}
        orders.contract_set_milestones(actor=staff, contract=contracts["deliv"], items=[("中期", date(2030, 1, 1), 200_000), ("结项", date(2030, 6, 1), 300_000)])
        orders.contract_set_milestones(actor=staff, contract=contracts["done"], items=[("结项", date(2030, 6, 1), 500_000)])
        m_pending, m_submitted = contracts["deliv"].milestones.order_by("position")
        orders.milestone_submit(actor=org_admin, milestone=m_submitted, evidence="活动照片")
        m_done = contracts["done"].milestones.get()
        orders.milestone_submit(actor=org_admin, milestone=m_done, evidence="结项报告")
        orders.milestone_accept(actor=staff, milestone=m_done)
    ids.update(
        p_deliv=older["deliv"].pk, c_awarded=contracts["aw"].pk, c_done=contracts["done"].pk, m_pending=m_pending.pk, m_submitted=m_submitted.pk
    )

    # A donation by the resident, received (Stripe's webhook says so).
    donation = funds.donation_create(actor=resident, community=community, amount=10_000, currency="cny")
    body, signature = _signed_event(
        {"id": "evt_matrix_1", "object": "event", "type": "payment_intent.succeeded",
         "data": {"object": {"id": donation.payment_intent_id, "object": "payment_intent", "amount": 10_000, "currency": "cny",
                             "metadata": {"donation_id": str(donation.pk)}}}}
    )
    assert funds.stripe_webhook_handle(payload=body, signature=signature) == "applied"
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.SUCCEEDED
    ids["donation"] = donation.pk
    ids["spending"] = funds.spending_record(
        actor=staff, community=community, amount=100, spent_on=date.today(), purpose="购买慰问品", payee="社区超市",
        voucher=SimpleUploadedFile("发票.pdf", b"%PDF-1.4 voucher"),
    ).pk

    # The volunteer's secret calendar feed and signed unsubscribe link (the secret is the credential).
    from reach.services import settings_for, unsubscribe_token

    ids["volunteer_calendar"] = settings_for(users["volunteer"]).calendar_token
    ids["volunteer_unsubscribe"] = unsubscribe_token(users["volunteer"])

    # Assistance applications (#30): the resident's, one just submitted and one the organisation verifies.
    from relief import services as relief

    def relief_apply():
        return relief.application_submit(actor=resident, community=community, kind="minimum_living", reason="突发疾病致残", household_size=2,
                                         monthly_income=80_000, documents=[SimpleUploadedFile("证明.pdf", b"%PDF-1.4 certificate")])

    app_ver = relief_apply()
    relief.application_delegate(actor=staff, application=app_ver, organization_id=org.pk, note="请核实")
    ids.update(app_sub=relief_apply().pk, app_ver=app_ver.pk, app_doc=app_ver.documents.get().pk)
    # Public affairs (#31): a policy with its service item, a community fund with a spending line
    # and its voucher, and the resident's anonymous report.
    from affairs import services as affairs

    item = affairs.service_item_create(actor=staff, name="高龄津贴申领", category="elderly", where="锣旗寺社区便民服务中心",
                                       how_to_apply="携带身份证到窗口", community=community)
    ids["service_item"] = item.pk
    ids["policy"] = affairs.policy_create(actor=staff, title="高龄津贴", category="elderly", issuer="江北区民政局", summary="80 周岁以上老人",
                                          effective_at=date(2025, 1, 1), community=community, service_item=item).pk
    public_fund = affairs.fund_create(actor=staff, name="惠民资金", source="government", amount=100_000, year=2026, community=community)
    ids["fund"] = public_fund.pk
    ids["fund_line"] = affairs.spending_line_record(actor=staff, fund=public_fund, amount=1_000, what="助餐", at=date.today(),
                                                    voucher=SimpleUploadedFile("发票.png", b"\x89PNG voucher")).pk
    report = affairs.report_create(actor=resident, community=community, subject="楼道灯", text="坏了三个月", anonymous=True)
    ids.update(report=report.pk, report_no=report.tracking_no)
    # Participatory budgets (#34): one taking proposals (with a proposal), one voting, one closed
    # with a winner; the alliance of the two communities (通存通兑).
    from budgets import services as budgets
    from budgets.models import Budget

    def budget(title):
        return budgets.budget_create(actor=staff, community=community, title=title, amount=5_000_000, voting_opens=now + timedelta(days=3),
                                     voting_closes=now + timedelta(days=10))

    def proposal(target):
        made = budgets.proposal_create(actor=resident, budget=target, title="社区花园", text="x", cost=800_000)
        return budgets.proposal_review(actor=staff, proposal=made, feasible=True)

    b_open, b_voting, b_closed = budget("民生实事一"), budget("民生实事二"), budget("民生实事三")
    ids.update(budget=b_open.pk, proposal=proposal(b_open).pk, budget_voting=b_voting.pk, budget_closed=b_closed.pk, street=community.street_id)
    ids["proposal_voting"], won = proposal(b_voting).pk, proposal(b_closed)
    Budget.objects.filter(pk__in=[b_voting.pk, b_closed.pk]).update(voting_opens=now - timedelta(hours=1))
    b_closed.refresh_from_db()
    budgets.ballot_cast(actor=resident, budget=b_closed, proposal_ids=[won.pk])
    budgets.budget_close(actor=staff, budget=b_closed)
    ids["proposal_won"] = won.pk
    ids["alliance"] = points.alliance_create(actor=superuser, community_ids=[community.pk, other_community.pk]).pk
    # Deliberation (#32): a steward (not one of the seven), an issue on an open meeting's agenda with an
    # open motion, a closed meeting with two passed motions (one with its convention), a conduct rule
    # and an award with its photo, proposed by staff and waiting for a second staff member.
    from deliberation import services as deliberation

    steward = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="steward").user
    deliberation.steward_appoint(actor=staff, community=community, user_id=steward.pk)
    issue = deliberation.issue_collect(actor=steward, community=community, title="文明养犬", category="rules")
    meeting = deliberation.meeting_call(actor=staff, community=community, title="议事会", starts_at=now, location="会议室", issue_ids=[issue.pk])
    motion = deliberation.motion_put(actor=staff, meeting=meeting, title="文明养犬公约")
    done = deliberation.meeting_call(actor=staff, community=community, title="上季度议事会", starts_at=now, location="会议室", issue_ids=[])
    deliberation.attendance_record(actor=staff, meeting=done, user_ids=[steward.pk])
    passed = []
    for title in ("文明养犬公约", "楼道公约"):
        m = deliberation.motion_put(actor=staff, meeting=done, title=title)
        deliberation.motion_vote(actor=steward, motion=m, vote="for")
        passed.append(deliberation.motion_close(actor=staff, motion=m))
    convention = deliberation.convention_create(actor=staff, community=community, title="文明养犬公约", text="出门拴绳", motion_id=passed[0].pk)
    rule = deliberation.conduct_rule_create(actor=staff, community=community, title="文明养犬", points=10, convention_id=convention.pk)
    award = deliberation.conduct_award_propose(actor=staff, rule=rule, user_id=resident.pk, evidence="拴绳遛狗",
                                               photo=SimpleUploadedFile("遛狗.png", b"\x89PNG dog"))
    ids.update(steward=steward.pk, issue=issue.pk, meeting=meeting.pk, motion=motion.pk, meeting_done=done.pk, motion_passed=passed[1].pk,
               convention=convention.pk, rule=rule.pk, award=award.pk)
    # Rooms, talents, community groups and annual reports (#33): the community's room with the
    # resident's requested booking and the organisation's weekly handover; the volunteer listed as a
    # talent; a pending community group (its admin: newcomer); the organisation's filed report.
    from accounts.models import AnnualReport
    from resources import services as resources

    room = resources.venue_create(actor=staff, community=community, name="文化活动室", capacity=30, open_hours_text="08:30-21:00")
    day = timezone.localdate() + timedelta(days=2)
    booking = resources.booking_request(actor=resident, venue=room, starts_at=timezone.make_aware(datetime.combine(day, clock(14))),
                                        ends_at=timezone.make_aware(datetime.combine(day, clock(16))), purpose="读书会", attendees=8)
    handover = resources.handover_create(actor=staff, venue=room, organization=org, weekday=day.isoweekday(), starts="09:00", ends="11:00",
                                         valid_from=day, valid_until=day + timedelta(days=28))
    resources.talent_list_me(actor=volunteer, fields=["绘本"], bio="讲绘本", community=community)
    group = OrganizationFactory(community=community, name="合唱团", kind=Organization.Kind.COMMUNITY_GROUP, status=Organization.Status.PENDING,
                                credit_code=valid_credit_code(900_003))
    OrganizationMemberFactory(organization=group, user=newcomer, role=OrganizationMember.Role.ADMIN)
    annual = AnnualReport.objects.create(organization=org, year=timezone.localdate().year - 1, summary="服务老人", income=100, spending=90,
                                         filed_by=org_admin, filed_at=now)
    ids.update(venue=room.pk, booking=booking.pk, handover=handover.pk, talent=volunteer.pk, group=group.pk, annual_report=annual.pk,
               approve="approve", leader=newcomer.pk)
    # A filed community group whose member is org_admin, with an activity she proposed, awaiting staff.
    from marketplace.services import TaskFields

    filed_group = OrganizationFactory(community=community, name="摄影社", kind=Organization.Kind.COMMUNITY_GROUP,
                                      status=Organization.Status.PENDING, credit_code=valid_credit_code(900_004))
    OrganizationMemberFactory(organization=filed_group, user=org_admin, role=OrganizationMember.Role.ADMIN)
    resources.group_file(actor=staff, organization=filed_group, leader=org_admin)
    activity = resources.activity_propose(actor=org_admin, organization=filed_group, fields=TaskFields(
        title="街拍", description="", category="culture", starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
        location="江北嘴", slots=3, points=0, skills=[], beneficiary=None))
    ids.update(filed_group=filed_group.pk, activity=activity.pk)

    # Each person's credentials: a bearer token for the API and a session for pages.
    tokens, sessions = {}, {}
    for role, user in users.items():
        tokens[role] = accounts.token_create(user=user)
        browser = Client()
        browser.force_login(user)
        sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value

    return SimpleNamespace(
        client=Client(HTTP_ACCEPT_LANGUAGE="en"),
        now=now, ids=ids, users=users, tokens=tokens, sessions=sessions, redemption_code=redemption.code, contract_amount=contracts["aw"].amount
    )


def orders_claim(claim_id):
    from orders.models import Claim

    return Claim.objects.get(pk=claim_id)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back after the module; each test's own savepoint (the
    ``db`` fixture) undoes what its cell changed."""
    with django_db_blocker.unblock(), override_settings(STRIPE_SECRET_KEY="sk_test_matrix", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET):
        fake = FakeStripe()
        with mock.patch("funds.services.stripe_client", lambda: fake):
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                yield build_world()
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)


# --- Calling a cell -------------------------------------------------------------------------------------
def _url(r: Row, w) -> str:
    names = r.on.split()
    values = [w.ids[name] for name in names]
    if r.is_api:
        params = [part.split("}")[0] for part in r.path.split("{")[1:]]
        assert len(params) == len(values), r.key
        url = r.path
        for param, value in zip(params, values):
            url = url.replace("{" + param + "}", str(value))
        return url
    url, rest = "", r.path
    for value in values:
        head, _sep, tail = rest.partition("<")
        url += head + str(value)
        rest = tail.partition(">")[2]
    assert "<" not in rest, r.key
    return url + rest


def call(r: Row, role: str, w):
    # One client for the module (a new one would load the middleware again, and WhiteNoise scans the
    # static files each time); its cookies are cleared so no cell sees another's session or messages.
    client = w.client
    client.cookies = SimpleCookie()
    extra = {}
    if role != "anonymous":
        if r.is_api:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {w.tokens[role]}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[role]
    url = _url(r, w)
    body = r.body(w) if r.body else {}
    if r.method == "GET":
        return client.get(url, **extra)
    if r.is_api:
        return client.generic(r.method, url, json.dumps(body), content_type="application/json", **extra)
    return client.post(url, body, **extra)


def outcome(r: Row, response):
    """What the caller got: the status, or for a page's redirect, where it went and what it said."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # an export that breaks half-way is a failure too
    if r.is_api or response.status_code != 302:
        return response.status_code
    if response["Location"].startswith(reverse(settings.LOGIN_URL)):
        return LOGIN
    levels = {m.level for m in get_messages(response.wsgi_request)}
    if message_levels.ERROR in levels:
        return REFUSED
    return OK if message_levels.SUCCESS in levels else f"302 to {response['Location']} without a message"


CELLS = [pytest.param(r, role, id=f"{r.key} as {role}") for r in ROWS for role in ROLES]


@pytest.mark.parametrize(("r", "role"), CELLS)
def test_cell(world, db, r: Row, role: str):
    response = call(r, role, world)
    expected = r.expect[ROLES.index(role)]
    got = outcome(r, response)
    detail = response.content[:300].decode(errors="replace") if not getattr(response, "streaming", False) else ""
    assert got == expected, f"{r.key} on {r.on} as {role}: expected {expected}, got {got}. {detail if r.is_api else ''}"


# --- What an answer holds ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES[1:])
def test_sealed_bids_are_listed_only_to_their_bidder(world, db, role):
    r = row("GET /api/v1/projects/{project_id}/bids", "p_bid", " ".join(["200"] * 7))
    items = call(r, role, world).json()["items"]
    assert [b["id"] for b in items] == ([world.ids["bid_open"]] if role == "org_admin" else [])


# Fields some of the people who may read an object must not read: (endpoint, object, field, who reads it).
PRIVATE_FIELDS = [
    # The pickup code is shown at the counter by its owner; staff must not be able to read it.
    ("GET /api/v1/redemptions/{redemption_id}", "redemption", "code", {"volunteer"}),
    # Staff may know how many bids came in before the deadline; nobody else may.
    ("GET /api/v1/projects/{project_id}", "p_bid", "bid_count", {"staff", "superuser"}),
    # An applicant's income: herself, her community's staff, the organisation verifying it (#30).
    ("GET /api/v1/assistance/applications/{application_id}", "app_ver", "monthly_income", {"resident", "org_admin", "staff"}),
]


@pytest.mark.parametrize(("spec", "on", "name", "readers"), PRIVATE_FIELDS, ids=[f"{s} {n}" for s, _o, n, _r in PRIVATE_FIELDS])
def test_private_fields_are_shown_only_to_their_readers(world, db, spec, on, name, readers):
    r = row(spec, on, " ".join(["200"] * 7))
    shown = set()
    for role in ROLES:
        response = call(r, role, world)
        if response.status_code == 200 and response.json().get(name) is not None:
            shown.add(role)
    assert shown == readers
