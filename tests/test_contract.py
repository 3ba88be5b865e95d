"""Every path of the API contract (../shared/design/api-contract.md) exists, with the method the
contract gives it (the Stripe webhook lives outside /api/v1 and is tested in tests/orders)."""

import pytest

CONTRACT = [
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/communities"),
    ("post", "/api/v1/communities"),
    ("post", "/api/v1/communities/{community_id}/join"),
    ("post", "/api/v1/communities/{community_id}/members"),
    ("post", "/api/v1/organizations"),
    ("post", "/api/v1/organizations/{organization_id}/verify"),
    ("post", "/api/v1/organizations/{organization_id}/members"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{task_id}"),
    ("post", "/api/v1/tasks/{task_id}/cancel"),
    ("post", "/api/v1/tasks/{task_id}/claims"),
    ("get", "/api/v1/claims"),
    ("post", "/api/v1/claims/{claim_id}/withdraw"),
    ("get", "/api/v1/tasks/{task_id}/checkin-code"),
    ("post", "/api/v1/claims/{claim_id}/check-in"),
    ("post", "/api/v1/claims/{claim_id}/check-out"),
    ("post", "/api/v1/claims/{claim_id}/submit"),
    ("post", "/api/v1/claims/{claim_id}/verify"),
    ("post", "/api/v1/claims/{claim_id}/reject"),
    ("post", "/api/v1/claims/{claim_id}/review"),
    ("get", "/api/v1/points/balance"),
    ("get", "/api/v1/points/entries"),
    ("post", "/api/v1/communities/{community_id}/points/budget"),
    ("get", "/api/v1/rewards"),
    ("post", "/api/v1/rewards"),
    ("post", "/api/v1/redemptions"),
    ("post", "/api/v1/redemptions/{redemption_id}/fulfil"),
    ("post", "/api/v1/redemptions/{redemption_id}/cancel"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects"),
    ("get", "/api/v1/projects/{project_id}"),
    ("post", "/api/v1/projects/{project_id}/bids"),
    ("get", "/api/v1/projects/{project_id}/bids"),
    ("post", "/api/v1/projects/{project_id}/award"),
    ("post", "/api/v1/needs"),
    ("post", "/api/v1/needs/{need_id}/triage"),
    ("post", "/api/v1/needs/{need_id}/tasks"),
    ("get", "/api/v1/notifications"),
    ("post", "/api/v1/donations"),
    ("get", "/api/v1/funds/{community_id}"),
]
# The contract's "Additions (second round)": what the issues of that round added or changed.
ADDITIONS = [
    ("patch", "/api/v1/me"), ("post", "/api/v1/me/password"), ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"), ("get", "/api/v1/me/invitations"), ("post", "/api/v1/invitations/{invitation_id}/accept"),
    ("post", "/api/v1/invitations/{invitation_id}/decline"), ("get", "/api/v1/me/export"), ("post", "/api/v1/me/delete"),
    ("post", "/api/v1/claims/verify"), ("post", "/api/v1/claims/{claim_id}/corrections"), ("post", "/api/v1/corrections/{correction_id}/decide"),
    ("get", "/api/v1/volunteers/{user_id}/certificate"), ("get", "/api/v1/certificates/{code}"), ("post", "/api/v1/tasks/{task_id}/waitlist"),
    ("delete", "/api/v1/tasks/{task_id}/waitlist"), ("get", "/api/v1/me/calendar"), ("patch", "/api/v1/me/notification-settings"),
    ("get", "/api/v1/me/service-card"), ("post", "/api/v1/claims/{claim_id}/confirm"), ("post", "/api/v1/me/guardians"),
]
OPEN_TO_ANYONE = {"/api/v1/donations"}


@pytest.mark.django_db
def test_every_contract_path_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    missing = [(m, p) for m, p in CONTRACT + ADDITIONS if m not in paths.get(p, {})]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [(m, p) for m, p in CONTRACT if m == "post" and "auth/" not in p and p not in OPEN_TO_ANYONE])
def test_protected_contract_endpoints_answer_401_without_credentials(client, method, path):
    url = path.replace("{community_id}", "1").replace("{organization_id}", "1").replace("{task_id}", "1").replace(
        "{claim_id}", "1").replace("{redemption_id}", "1").replace("{project_id}", "1").replace("{need_id}", "1")
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each body and answer by its class; two classes of one name (a
    supervision report and an assistance verification report were both ``ReportOut``) overwrite one
    another there, so clients and the fuzzer read the wrong shape for one of the endpoints."""
    from ninja import Schema

    from config.api import api

    api.get_openapi_schema()  # every router imported

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(Schema) if c.__module__.split(".")[0] in {app.split(".")[0] for app in ("core", "accounts", "points", "marketplace", "orders", "funds", "relief", "affairs", "budgets", "reach", "dashboards", "config")}]
    names = {}
    for cls in ours:
        names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in names.items() if len(mods) > 1} == {}
