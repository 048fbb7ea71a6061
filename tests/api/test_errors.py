"""Values PostgreSQL cannot hold are the client's error, never a server error."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/api/jurisdictions?at=2000-01-01T00:00:00%2B16:00",
        "/api/jurisdictions/geojson?parent_id=99999999999999",
    ],
)
def test_values_the_database_cannot_hold_are_422(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input" and "jangkauan" in body["message"]


@pytest.mark.parametrize(
    "path", ["/api/jurisdictions/99999999999999", "/api/incidents/99999999999999"]
)
def test_huge_ids_are_not_found(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404, response.text
    assert response.json()["field"].endswith("_id")
