"""Admin API for units' HTTP trackers: register (identifier shown once), list, revoke."""

from __future__ import annotations

from tests.conftest import make_auth_headers
from tests.tracking.factories import make_unit
from tracking.devices import resolve_device


def test_register_list_and_revoke_a_traccar_client_phone(api_client, db_session):
    unit = make_unit(db_session)
    url = f"/api/units/{unit.id}/devices"
    answer = api_client.post(url, json={"label": "HP Samsung A14"})
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert issued["protocol"] == "osmand" and issued["call_sign"] == unit.call_sign
    assert issued["unique_id"] is None and len(issued["identifier"]) == 19
    found = resolve_device(db_session, protocol="osmand", identifier=issued["identifier"])
    assert found.unit_id == unit.id
    [listed] = api_client.get(url).json()
    assert "identifier" not in listed and listed["label"] == "HP Samsung A14"
    revoked = api_client.delete(f"{url}/{issued['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api_client.get(url).json() == []
    assert len(api_client.get(url, params={"include_revoked": True}).json()) == 1
    assert api_client.delete(f"{url}/{issued['id']}").status_code == 404


def test_traccar_devices_need_a_free_unique_id(api_client, db_session):
    first, second = make_unit(db_session), make_unit(db_session)
    missing = api_client.post(f"/api/units/{first.id}/devices", json={"protocol": "traccar"})
    assert missing.status_code == 422 and missing.json()["field"] == "unique_id"
    body = {"protocol": "traccar", "unique_id": "359710042436064"}
    added = api_client.post(f"/api/units/{first.id}/devices", json=body)
    assert added.status_code == 201 and added.json()["identifier"] == "359710042436064"
    taken = api_client.post(f"/api/units/{second.id}/devices", json=body)
    assert taken.status_code == 409 and taken.json()["field"] == "unique_id"
    # A device is revoked through its own unit only.
    other = api_client.delete(f"/api/units/{second.id}/devices/{added.json()['id']}")
    assert other.status_code == 404


def test_only_unit_administrators_register_trackers(api_client, db_session, settings):
    unit = make_unit(db_session)
    headers = make_auth_headers(settings, db_session, "commander")
    answer = api_client.post(f"/api/units/{unit.id}/devices", json={}, headers=headers)
    assert answer.status_code == 403
    assert api_client.post("/api/units/999999/devices", json={}).status_code == 404


def test_a_set_up_url_for_the_app_when_the_public_address_is_known(settings, db_session):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.deps import get_read_session, get_session
    from tests.conftest import make_auth_headers

    app = create_app(
        settings.model_copy(
            update={"trackers_public_url": "https://siaga.polres.example", "auth_cache_ttl_s": 0}
        )
    )
    app.dependency_overrides[get_session] = lambda: db_session
    app.dependency_overrides[get_read_session] = lambda: db_session
    unit = make_unit(db_session)
    with TestClient(app) as client:
        headers = make_auth_headers(settings, db_session, "admin")
        issued = client.post(f"/api/units/{unit.id}/devices", json={}, headers=headers).json()
    assert issued["config_url"].startswith("https://siaga.polres.example/osmand?id=")
    assert issued["identifier"] in issued["config_url"]
