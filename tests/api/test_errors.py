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


@pytest.mark.parametrize(
    "body",
    [b"[" * 200_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b"[" * 900 + b"]" * 900],
    ids=["unclosed", "deep-object", "deep-but-valid"],
)
@pytest.mark.parametrize("path", ["/api/auth/token", "/api/incidents"])
def test_deeply_nested_json_is_a_client_error(api_client, path, body):
    response = api_client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.json().get("message"), response.text


def test_unknown_path_and_wrong_method_are_named_in_bahasa(api_client):
    missing = api_client.get("/api/tidak-ada")
    assert missing.status_code == 404 and missing.json()["message"] == "alamat tidak ditemukan"
    wrong = api_client.delete("/api/auth/token")
    assert wrong.status_code == 405 and wrong.json()["field"] == "method"
    assert "POST" in wrong.headers["allow"]
