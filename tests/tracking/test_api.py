"""Tracking routes through the real app on the real database."""

from __future__ import annotations

import time
from collections import Counter

from tests.tracking.factories import call_sign, stage
from tracking.writer import add_reject_counts, write_fixes


def test_unit_crud_status_and_positions(api_client, db_session):
    sign = call_sign("API")
    created = api_client.post("/api/units", json={"call_sign": sign, "kind": "R2"})
    assert created.status_code == 201, created.text
    unit = created.json()
    assert unit["status"] == "available" and unit["fix_stale"] and not unit["available"]
    uid = unit["id"]
    assert api_client.post("/api/units", json={"call_sign": sign, "kind": "R2"}).status_code == 409
    bad = api_client.post("/api/units", json={"call_sign": "a/b", "kind": "R4"})
    assert bad.status_code == 422 and bad.json()["field"] == "body.call_sign"
    patched = api_client.patch(f"/api/units/{uid}", json={"crew": [{"nama": "Bripka Andi"}]})
    assert patched.json()["crew"] == [{"nama": "Bripka Andi"}]
    write_fixes(db_session, [stage(uid, time.time() - 3)])
    listed = {u["id"]: u for u in api_client.get("/api/units?available=true").json()}
    assert listed[uid]["position"]["lon"] == 116.84 and listed[uid]["available"]
    moved = api_client.post(f"/api/units/{uid}/status", json={"status": "dispatched"})
    assert moved.json()["status"] == "dispatched"
    forbidden = api_client.post(f"/api/units/{uid}/status", json={"status": "off_duty"})
    assert forbidden.status_code == 409 and forbidden.json()["field"] == "status"
    positions = api_client.get(f"/api/units/{uid}/positions").json()
    assert len(positions) == 1
    assert api_client.delete(f"/api/units/{uid}").status_code == 204
    assert api_client.get(f"/api/units/{uid}").status_code == 404


def test_ingest_stats_show_rejects_by_reason(api_client, db_session):
    add_reject_counts(db_session, Counter({"too_old": 2, "malformed": 1}))
    stats = api_client.get("/api/ingest/stats").json()
    assert stats["rejected_today"]["too_old"] >= 2
    assert stats["rejected_total"]["malformed"] >= 1
