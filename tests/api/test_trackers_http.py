"""Traccar Client and Traccar server reports through the real API, broker, ingest worker and
database: stored exactly like an MQTT fix, through the same filter state; refusals counted.

Payloads are the captured forms in tests/tracking/traccar (SOURCES.md); only the identifier and
the time are replaced (the ingest refuses fixes older than two days).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from core.db import make_session_factory, session_scope
from core.errors import ServiceUnavailable
from core.mqtt import BrokerLink
from core.settings import Settings
from dispatch.recommend import nearby_units
from tests.conftest import wait_until
from tests.tracking.factories import make_unit
from tests.tracking.live import Publisher, count_positions, running_worker
from tracking.devices import issue_device, revoke_device
from tracking.http_ingest import publish_report
from tracking.http_input import KNOT_MPS, Report
from tracking.jobs import unit_topic
from tracking.models import Unit
from tracking.worker import IngestWorker

PAYLOADS = Path(__file__).parents[1] / "tracking" / "traccar"
SECRET = "rahasia-penerusan-uji-" + uuid.uuid4().hex
ROW_SQL = text(
    """
    SELECT extract(epoch FROM fixed_at) AS fixed_at, ST_X(geom) AS lon, ST_Y(geom) AS lat,
           speed_mps, heading_deg, accuracy_m, raw
    FROM unit_positions WHERE unit_id = :u ORDER BY fixed_at
    """
)
LATEST_SQL = text(
    "SELECT extract(epoch FROM fixed_at), ST_X(geom), ST_Y(geom), speed_mps, heading_deg,"
    " accuracy_m FROM unit_positions_latest WHERE unit_id = :u"
)


@dataclass
class World:
    client: TestClient
    worker: IngestWorker
    engine: Engine
    settings: Settings
    units: dict[int, str] = field(default_factory=dict)  # committed here: removed at the end


@pytest.fixture(scope="module")
def world(settings: Settings, engine: Engine) -> Iterator[World]:
    app = create_app(settings.model_copy(update={"traccar_forward_secret": SECRET}))
    with running_worker(settings) as worker, TestClient(app) as client:
        wait_until(worker.subscribed.is_set, 15, message="worker subscribed")
        wait_until(app.state.broker.client.is_connected, 15, message="API broker link")
        world = World(client, worker, engine, settings)
        try:
            yield world
        finally:
            forget_units(world)


def forget_units(world: World) -> None:
    """Remove the committed units, their fixes and their retained link states, so that later
    tests (recommendations, other ingest workers) never meet them."""
    pub = Publisher(world.settings)
    for sign in world.units.values():
        topic = unit_topic(world.settings.mqtt_topic_root, sign, "link")
        pub.client.publish(topic, b"", qos=1, retain=True)
    pub.close()
    ids = {"u": list(world.units)}
    with world.engine.begin() as conn:
        conn.execute(text("DELETE FROM unit_positions WHERE unit_id = ANY(:u)"), ids)
        conn.execute(text("DELETE FROM units WHERE id = ANY(:u)"), ids)


def unit_with_device(world: World, protocol: str = "osmand") -> tuple[int, str, str]:
    """A committed unit with a committed device: (unit id, call sign, identifier)."""
    unique_id = f"35971{uuid.uuid4().int % 10**10:010d}" if protocol == "traccar" else None
    with session_scope(make_session_factory(world.engine)) as session:
        unit = make_unit(session)
        _, identifier = issue_device(
            session, call_sign=unit.call_sign, protocol=protocol, unique_id=unique_id
        )
        world.units[unit.id] = unit.call_sign
        return unit.id, unit.call_sign, identifier


def android_query(name: str, identifier: str, at: float) -> str:
    raw = (PAYLOADS / name).read_text()
    return re.sub(r"timestamp=\d+", f"timestamp={int(at)}", raw.replace("48241179", identifier))


def client9_body(identifier: str, at: float) -> dict:
    body = json.loads(
        (PAYLOADS / "client9_location.json").read_text().replace("48241179", identifier)
    )
    body["location"]["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at))
    return body


def forwarded(name: str, unique_id: str, at: float | None = None) -> dict:
    body = json.loads((PAYLOADS / name).read_text().replace("359710042436064", unique_id))
    if at is not None:
        body["position"]["fixTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime(at))
    return body


def rows(engine: Engine, unit_id: int) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(ROW_SQL, {"u": unit_id}).mappings()]


def latest(engine: Engine, unit_id: int) -> tuple | None:
    with engine.connect() as conn:
        row = conn.execute(LATEST_SQL, {"u": unit_id}).one_or_none()
        return None if row is None else tuple(row)


def reject_totals(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = text("SELECT reason, sum(count) FROM ingest_reject_counts GROUP BY reason")
        return {reason: int(count) for reason, count in conn.execute(query)}


def link_of(engine: Engine, unit_id: int) -> bool:
    with session_scope(make_session_factory(engine)) as session:
        return session.get(Unit, unit_id).link_connected


def stored(engine: Engine, unit_id: int, expected: int) -> None:
    wait_until(lambda: count_positions(engine, [unit_id]) >= expected, 15, message="stored")


def test_a_traccar_client_query_is_stored_exactly_like_an_mqtt_fix(world: World):
    at = int(time.time()) - 5
    mqtt_unit, mqtt_sign, _ = unit_with_device(world)
    http_unit, _, identifier = unit_with_device(world)
    answer = world.client.get(
        f"/osmand?{android_query('client_android_query.txt', identifier, at)}"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "diterima", "fixes": 1, "reason": None, "alarm": None}
    # The same fix as a tracker would publish it over MQTT, in m/s.
    pub = Publisher(world.settings)
    mqtt_fix = {"lon": 116.831207, "lat": -1.265431, "fixed_at": at,
                "speed_mps": 16.738397 * KNOT_MPS, "heading_deg": 87.5}  # fmt: skip
    pub.publish(unit_topic(world.settings.mqtt_topic_root, mqtt_sign, "location"), mqtt_fix)
    pub.close()
    stored(world.engine, http_unit, 1)
    stored(world.engine, mqtt_unit, 1)
    [by_http], [by_mqtt] = rows(world.engine, http_unit), rows(world.engine, mqtt_unit)
    columns = ("fixed_at", "lon", "lat", "heading_deg", "accuracy_m")
    assert [by_http[c] for c in columns] == [by_mqtt[c] for c in columns]
    assert by_http["speed_mps"] == pytest.approx(8.611, abs=1e-3)  # knots converted
    assert by_http["speed_mps"] == pytest.approx(by_mqtt["speed_mps"], rel=1e-12)
    assert latest(world.engine, http_unit)[:3] == latest(world.engine, mqtt_unit)[:3]
    raw = json.loads(by_http["raw"])
    assert raw["source"] == "osmand" and "batt=81.0" in raw["raw"]
    assert identifier not in by_http["raw"]  # the device's secret is not kept
    # A report is the device being connected now: its link is up (no MQTT, no will).
    wait_until(lambda: link_of(world.engine, http_unit), 15, message="link up")
    # ... so the unit is recommended like any other, its jobs going to the crew's page.
    with session_scope(make_session_factory(world.engine)) as session:
        assert session.get(Unit, http_unit).tracker_kind == "hardware"
        stale_s = world.settings.unit_fix_stale_s
        now = datetime.now(UTC)
        ready, _ = nearby_units(
            session, lon=116.831207, lat=-1.265431, stale_s=stale_s, now=now, limit=50
        )
    assert http_unit in [row["id"] for row in ready]


def test_form_post_and_traccar_client_9_json_are_stored(world: World):
    at = int(time.time()) - 60
    unit_id, _, identifier = unit_with_device(world)
    form = android_query("client_android_charge_query.txt", identifier, at)
    answer = world.client.post(
        "/osmand", content=form, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 200, answer.text
    answer = world.client.post("/osmand", json=client9_body(identifier, at + 30))
    assert answer.status_code == 200 and answer.json()["fixes"] == 1, answer.text
    stored(world.engine, unit_id, 2)
    first, second = rows(world.engine, unit_id)
    assert (first["fixed_at"], first["accuracy_m"]) == (at, 7.5)
    assert (second["fixed_at"], second["speed_mps"], second["accuracy_m"]) == (at + 30, 8.61, 4.9)
    assert latest(world.engine, unit_id)[0] == at + 30


def test_http_and_mqtt_fixes_of_a_unit_pass_one_filter_state(world: World):
    at = int(time.time()) - 120
    unit_id, sign, identifier = unit_with_device(world)
    pub = Publisher(world.settings)
    pub.publish(unit_topic(world.settings.mqtt_topic_root, sign, "location"),
                {"lon": 116.831207, "lat": -1.265431, "fixed_at": at})  # fmt: skip
    pub.close()
    stored(world.engine, unit_id, 1)
    before = dict(world.worker.rejects)
    same = android_query("client_android_query.txt", identifier, at)
    far = f"id={identifier}&timestamp={at + 1}&lat=-6.2&lon=106.8"  # Jakarta, one second later
    for query in (same, far):
        assert world.client.get(f"/osmand?{query}").status_code == 200

    def judged(reason: str) -> bool:
        return world.worker.rejects[reason] >= before.get(reason, 0) + 1

    wait_until(lambda: judged("duplicate") and judged("impossible_speed"), 15, message="judged")
    assert count_positions(world.engine, [unit_id]) == 1


def test_a_forwarded_position_is_stored_and_events_set_the_link(world: World):
    at = int(time.time()) - 10
    unit_id, _, unique_id = unit_with_device(world, "traccar")
    headers = {"authorization": f"Bearer {SECRET}"}
    body = forwarded("forward_position.json", unique_id, at)
    answer = world.client.post("/traccar", json=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["status"] == "diterima", answer.text
    stored(world.engine, unit_id, 1)
    [row] = rows(world.engine, unit_id)
    assert (row["fixed_at"], row["lon"], row["lat"]) == (at, 116.831207, -1.265431)
    assert row["speed_mps"] == pytest.approx(16.738397 * 0.514444, rel=1e-5)
    assert row["heading_deg"] == 87.0 and row["accuracy_m"] is None
    assert json.loads(json.loads(row["raw"])["raw"])["position"]["protocol"] == "h02"
    wait_until(lambda: link_of(world.engine, unit_id), 15, message="link up with the fix")
    for name, connected in (
        ("forward_event_offline.json", False),
        ("forward_event_online.json", True),
        ("forward_event_offline.json", False),
    ):
        event = forwarded(name, unique_id)
        assert world.client.post("/traccar", json=event, headers=headers).status_code == 200
        wait_until(lambda c=connected: link_of(world.engine, unit_id) == c, 15, message=name)
    # The secret may also come in the URL (a Traccar without forward.header).
    moving = forwarded("forward_event_moving.json", unique_id)
    answer = world.client.post(f"/traccar?secret={SECRET}", json=moving)
    assert answer.json()["status"] == "diabaikan" and answer.json()["fixes"] == 0


def test_unknown_or_revoked_devices_are_refused_and_nothing_is_stored(world: World):
    at = int(time.time()) - 5
    unit_id, _, identifier = unit_with_device(world)
    totals = reject_totals(world.engine)
    answer = world.client.get(f"/osmand?{android_query('client_android_query.txt', 'x', at)}")
    assert answer.status_code == 403 and answer.json()["field"] == "id"
    assert "tidak terdaftar" in answer.json()["message"]
    with session_scope(make_session_factory(world.engine)) as session:
        device_id = session.execute(
            text("SELECT id FROM tracker_devices WHERE unit_id = :u"), {"u": unit_id}
        ).scalar_one()
        revoke_device(session, device_id=device_id)
    answer = world.client.get(
        f"/osmand?{android_query('client_android_query.txt', identifier, at)}"
    )
    assert answer.status_code == 403
    answer = world.client.post(
        "/traccar",
        json=forwarded("forward_position.json", "000000000000000", at),
        headers={"authorization": f"Bearer {SECRET}"},
    )
    assert answer.status_code == 403 and answer.json()["field"] == "device.uniqueId"
    after = reject_totals(world.engine)
    assert after.get("osmand_unknown_device", 0) == totals.get("osmand_unknown_device", 0) + 2
    assert after.get("traccar_unknown_device", 0) == totals.get("traccar_unknown_device", 0) + 1
    # A report accepted after the refused ones is stored; the refused unit still has nothing.
    marker_unit, _, marker = unit_with_device(world)
    world.client.get(f"/osmand?{android_query('client_android_query.txt', marker, at)}")
    stored(world.engine, marker_unit, 1)
    assert count_positions(world.engine, [unit_id]) == 0


def test_malformed_reports_are_refused_naming_the_field_and_counted(world: World):
    _, _, identifier = unit_with_device(world)
    totals = reject_totals(world.engine)
    bad = world.client.get(f"/osmand?id={identifier}&lat=abc&lon=116.8")
    assert bad.status_code == 422 and bad.json()["field"] == "lat"
    assert bad.json()["message"] == "lat: harus berupa bilangan, bukan 'abc'"
    not_json = world.client.post(
        "/osmand", content=b"{location", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422 and not_json.json()["field"] == "body"
    no_coords = client9_body(identifier, time.time())
    del no_coords["location"]["coords"]
    answer = world.client.post("/osmand", json=no_coords)
    assert answer.status_code == 422 and answer.json()["field"] == "location.coords"
    huge = world.client.post("/osmand", content=b"id=" + b"9" * 40_000)
    assert huge.status_code == 413
    wrong = world.client.post("/traccar", json={}, headers={"authorization": "Bearer salah"})
    assert wrong.status_code == 401 and "rahasia" in wrong.json()["message"]
    broken = world.client.post(
        "/traccar",
        json={"device": {"uniqueId": "1"}, "position": {"latitude": "x"}},
        headers={"authorization": f"Bearer {SECRET}"},
    )
    assert broken.status_code == 422 and broken.json()["field"] == "position.latitude"
    after = reject_totals(world.engine)
    for reason, added in (
        ("osmand_malformed", 3),
        ("osmand_too_large", 1),
        ("traccar_bad_secret", 1),
        ("traccar_malformed", 1),
    ):
        assert after.get(reason, 0) == totals.get(reason, 0) + added, reason


def test_forwarding_is_refused_until_a_secret_is_set(settings: Settings):
    with TestClient(create_app(settings)) as client:
        answer = client.post("/traccar", json={})
    assert answer.status_code == 403
    assert answer.json()["field"] == "SIAGA_TRACCAR_FORWARD_SECRET"


def test_a_report_is_not_acknowledged_while_the_broker_is_away(settings: Settings):
    link = BrokerLink(settings.mqtt_dsn(), f"test-away-{uuid.uuid4().hex[:6]}")  # never started
    report = Report("x", fixes=[])
    with pytest.raises(ServiceUnavailable):
        publish_report(link, topic_root="siaga/test", call_sign="X", report=report, source="osmand")


def test_the_trackers_own_listener_takes_osmand_at_its_root_and_nothing_else(world: World):
    from api.tracker_app import create_tracker_app

    at = int(time.time()) - 5
    unit_id, _, identifier = unit_with_device(world)
    app = create_tracker_app(world.settings)
    with TestClient(app) as client:
        wait_until(app.state.broker.client.is_connected, 15, message="tracker app broker link")
        query = android_query("client_android_query.txt", identifier, at)
        answer = client.post(f"/?{query}")  # Traccar Client at http://host:5055
        assert answer.status_code == 200, answer.text
        assert client.get("/api/units").status_code == 404  # the API is not served here
        assert client.get("/health").status_code == 200
    stored(world.engine, unit_id, 1)


def test_a_report_too_large_for_the_ingest_is_refused_and_counted(world: World):
    # A small limit stands in for the ingest's (a real report is well under it).
    limits = {"mqtt_max_payload_bytes": 1024, "ingest_max_payload_bytes": 1024}
    app = create_app(world.settings.model_copy(update=limits))
    unit_id, _, identifier = unit_with_device(world)
    body = client9_body(identifier, time.time())
    body["location"]["extras"] = {"catatan": "x" * 1200}
    totals = reject_totals(world.engine)
    with TestClient(app) as client:
        answer = client.post("/osmand", json=body)
    assert answer.status_code == 422 and answer.json()["field"] == "body", answer.text
    after = reject_totals(world.engine)
    assert after.get("osmand_too_large", 0) == totals.get("osmand_too_large", 0) + 1
    assert count_positions(world.engine, [unit_id]) == 0
