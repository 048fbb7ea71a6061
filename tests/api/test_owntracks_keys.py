"""Admin API for a unit's OwnTracks encryption key: set, rotate, clear; scoped by role and
jurisdiction, audited, and the key never sent back (nor written into the audit)."""

from __future__ import annotations

import json

from sqlalchemy import select

from api.models import SecurityAudit
from tests.conftest import make_auth_headers
from tests.tracking.factories import make_polsek, make_unit
from tracking.trackers import owntracks_keys

KEY = "k3y-rahasia-polres-01"
ROTATED = "kunci-baru-setelah-hp-hilang"


def make_polres(db_session, code: str):
    """Two Polres areas side by side (the unit belongs to one of them)."""
    row = make_polsek(db_session, code)
    row.level, row.name = "polres", "Polres Uji"
    db_session.flush()
    return row


def audits(db_session, unit_id: int) -> list[SecurityAudit]:
    rows = db_session.scalars(select(SecurityAudit).where(SecurityAudit.action.like("owntracks_%")))
    return [row for row in rows if row.detail.get("unit_id") == unit_id]


def test_set_rotate_and_clear_a_key_without_it_ever_coming_back(api_client, db_session):
    unit = make_unit(db_session)
    url = f"/api/units/{unit.id}/owntracks-key"
    assert api_client.get(url).json()["key_set"] is False
    answer = api_client.put(url, json={"owntracks_key": KEY})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["key_set"] is True and body["set_by"].startswith("user:test-admin-")
    assert body["tracker_kind"] == "owntracks"  # a siaga unit's phone now runs OwnTracks
    assert KEY not in answer.text and KEY not in api_client.get(url).text
    assert owntracks_keys(db_session, [unit.id]) == {unit.id: KEY}  # what the ingest opens with
    rotated = api_client.put(url, json={"owntracks_key": ROTATED})
    assert rotated.status_code == 200 and ROTATED not in rotated.text
    assert owntracks_keys(db_session, [unit.id]) == {unit.id: ROTATED}
    cleared = api_client.delete(url)
    assert cleared.status_code == 200 and cleared.json()["key_set"] is False
    assert owntracks_keys(db_session, [unit.id]) == {}
    actions = [row.action for row in audits(db_session, unit.id)]
    assert actions == ["owntracks_key_set", "owntracks_key_rotated", "owntracks_key_cleared"]
    for row in audits(db_session, unit.id):
        text = json.dumps(row.detail)
        assert KEY not in text and ROTATED not in text
        assert row.detail["call_sign"] == unit.call_sign and row.decision == "allow"


def test_a_bad_key_is_refused_naming_the_field(api_client, db_session):
    unit = make_unit(db_session)
    url = f"/api/units/{unit.id}/owntracks-key"
    for bad in ("", "x" * 33, "é" * 17, "kunci\x00nul", "baris\nbaru"):
        answer = api_client.put(url, json={"owntracks_key": bad})
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["field"].endswith("owntracks_key"), answer.text
    lone_surrogate = '{"owntracks_key": "\\ud800abc"}'
    answer = api_client.put(
        url, content=lone_surrogate, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert api_client.get(url).json()["key_set"] is False


def test_only_unit_administrators_of_the_unit_s_area_manage_its_key(
    api_client, db_session, settings
):
    mine, theirs = make_polres(db_session, "T-KEY-A"), make_polres(db_session, "T-KEY-B")
    unit = make_unit(db_session, home=theirs.id)
    url = f"/api/units/{unit.id}/owntracks-key"
    body = {"owntracks_key": KEY}
    commander = make_auth_headers(settings, db_session, "commander")
    assert api_client.put(url, json=body, headers=commander).status_code == 403
    assert api_client.get(url, headers=commander).status_code == 403
    unit_user = make_auth_headers(settings, db_session, "unit", unit_id=unit.id)
    assert api_client.put(url, json=body, headers=unit_user).status_code == 403
    elsewhere = make_auth_headers(settings, db_session, "polres_operator", jurisdiction_id=mine.id)
    for method in ("get", "put", "delete"):
        extra = {"json": body} if method == "put" else {}
        answer = getattr(api_client, method)(url, headers=elsewhere, **extra)
        assert answer.status_code == 404, (method, answer.text)  # not even its existence
    local = make_auth_headers(settings, db_session, "polres_operator", jurisdiction_id=theirs.id)
    assert api_client.put(url, json=body, headers=local).status_code == 200
    assert owntracks_keys(db_session, [unit.id]) == {unit.id: KEY}
    assert api_client.put("/api/units/999999/owntracks-key", json=body).status_code == 404


def test_an_out_of_range_unit_id_is_a_clean_refusal(api_client):
    for method in ("get", "put", "delete"):
        extra = {"json": {"owntracks_key": KEY}} if method == "put" else {}
        answer = getattr(api_client, method)("/api/units/99999999999999999/owntracks-key", **extra)
        assert answer.status_code in (404, 422), (method, answer.text)


def test_the_app_s_device_id_is_recorded_checked_and_audited(api_client, db_session, settings):
    unit = make_unit(db_session)
    url = f"/api/units/{unit.id}/owntracks-device"
    for bad in ("hp.andi", "hp/1", "hp+", "x" * 65, ""):
        answer = api_client.put(url, json={"device": bad})
        assert answer.status_code == 422 and answer.json()["field"].endswith("device"), bad
    assert api_client.put(url, json={"device": "hp-andi"}).json()["device"] == "hp-andi"
    key = api_client.get(f"/api/units/{unit.id}/owntracks-key").json()
    assert key["device"] == "hp-andi" and key["key_set"] is False
    assert api_client.delete(url).json()["device"] is None
    actions = [row.action for row in audits(db_session, unit.id)]
    assert actions == ["owntracks_device_set", "owntracks_device_cleared"]
    commander = make_auth_headers(settings, db_session, "commander")
    assert api_client.put(url, json={"device": "hp"}, headers=commander).status_code == 403
