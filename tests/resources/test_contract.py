"""The contract's third round, "Resources": every path exists with its method, and the protected ones answer 401 without credentials."""

import pytest

RESOURCES = [
    ("get", "/api/v1/venues"), ("post", "/api/v1/venues"), ("post", "/api/v1/venues/{venue_id}/bookings"),
    ("post", "/api/v1/bookings/{booking_id}/approve"), ("post", "/api/v1/bookings/{booking_id}/reject"),
    ("post", "/api/v1/bookings/{booking_id}/cancel"), ("post", "/api/v1/venues/{venue_id}/handovers"), ("get", "/api/v1/talents"),
    ("put", "/api/v1/me/talent"), ("delete", "/api/v1/me/talent"), ("post", "/api/v1/organizations"),
    ("post", "/api/v1/organizations/{organization_id}/annual-reports"), ("post", "/api/v1/annual-reports/{report_id}/review"),
]


@pytest.mark.django_db
def test_every_resources_path_of_the_contract_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert [(m, p) for m, p in RESOURCES if m not in paths.get(p, {})] == []


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [(m, p) for m, p in RESOURCES if m != "get"])
def test_protected_resources_endpoints_answer_401_without_credentials(client, method, path):
    url = path.replace("{venue_id}", "1").replace("{booking_id}", "1").replace("{organization_id}", "1").replace("{report_id}", "1")
    response = client.generic(method.upper(), url, "{}", content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
