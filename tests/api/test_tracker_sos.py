"""A tracker's SOS reaches the 110 operators: a Traccar Client `alarm=sos` and a Traccar
server's forwarded alarm event each become ONE urgent alert (a repeat joins it), through the
trackers' own listener, the broker, a running ingest worker, a running dispatch worker and
the database; recorded on the unit and in its incident's log, announced on the dispatch alert
channel, listed and acknowledged through the API within the caller's jurisdiction only.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from api.tracker_app import create_tracker_app
from core.db import make_session_factory, session_scope
from core.settings import Settings
from dispatch.intake import create_incident
from dispatch.models import Assignment
from dispatch.monitor import ALERT_CHANNEL
from dispatch.schemas import IncidentCreate
from dispatch.worker import run_worker
from jurisdictions.models import Jurisdiction
from tests.api.test_trackers_http import PAYLOADS, android_query, forwarded
from tests.conftest import make_auth_headers, wait_until
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_area, purge
from tests.dispatch.factories import make_unit as make_dispatch_unit
from tests.tracking.live import Publisher, running_worker
from tracking.devices import issue_device
from tracking.jobs import unit_topic

SECRET = "rahasia-sos-uji-" + uuid.uuid4().hex
SHIFT = 9.0  # this module's area lies far from every other test's rows
SOS_SPOT = (116.831207, -1.265431)  # where the captured reports put the unit


@dataclass
class World:
    tracker: TestClient
    api: TestClient
    engine: Engine
    settings: Settings
    area_ids: list[int] = field(default_factory=list)
    polres_id: int = 0
    other_polres_id: int = 0
    unit_ids: list[int] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    listening: threading.Event = field(default_factory=threading.Event)


@pytest.fixture(scope="module")
def world(settings: Settings, engine: Engine) -> Iterator[World]:
    """Listener, ingest worker, dispatch worker and the API, all running; a LISTEN on the
    dispatch alert channel collecting what live pages would be told."""
    quick = settings.model_copy(update={"traccar_forward_secret": SECRET})
    with Session(engine) as session:
        area = make_area(session, shift_lon=SHIFT)
        session.commit()
        area_ids, polres_id, other_id = area.ids(), area.polres.id, area.other_polres.id
    stop = threading.Event()
    dispatch = threading.Thread(
        target=run_worker, args=(quick,), kwargs={"tick_s": 0.2, "stop": stop}, daemon=True
    )
    tracker_app = create_tracker_app(quick)
    with (
        running_worker(quick) as worker,
        TestClient(tracker_app) as tracker,
        TestClient(create_app(quick)) as api,
    ):
        wait_until(worker.subscribed.is_set, 15, message="worker subscribed")
        wait_until(tracker_app.state.broker.client.is_connected, 15, message="listener link")
        world = World(tracker, api, engine, quick, area_ids, polres_id, other_id)
        listener = threading.Thread(target=_listen, args=(world, stop), daemon=True)
        listener.start()
        wait_until(world.listening.is_set, 10, message="LISTEN on the alert channel")
        dispatch.start()
        try:
            yield world
        finally:
            stop.set()
            dispatch.join(timeout=15)
            listener.join(timeout=5)
            with Session(engine) as session:
                users = text("DELETE FROM users WHERE jurisdiction_id = ANY(:j)")
                session.execute(users, {"j": world.area_ids})
                purge(session, incident_ids=world.incident_ids, unit_ids=world.unit_ids,
                      jurisdiction_ids=world.area_ids)  # fmt: skip


def _listen(world: World, stop: threading.Event) -> None:
    """LISTEN on a connection of its own (autocommit), never one of the engine's pool."""
    url = world.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"LISTEN {ALERT_CHANNEL}")
        world.listening.set()
        while not stop.is_set():
            conn.poll()
            while conn.notifies:
                world.notices.append(json.loads(conn.notifies.pop(0).payload))
            time.sleep(0.05)
    finally:
        conn.close()


def unit_on_a_job(world: World, protocol: str) -> tuple[int, str, str, int]:
    """A committed unit of the area's Polres, on an active assignment, with a tracker device:
    (unit id, call sign, device identifier, incident id)."""
    unique_id = f"35971{uuid.uuid4().int % 10**10:010d}" if protocol == "traccar" else None
    with session_scope(make_session_factory(world.engine)) as session:
        polres = session.get(Jurisdiction, world.polres_id)
        unit = make_dispatch_unit(session, lon=SOS_SPOT[0], lat=SOS_SPOT[1], home=polres,
                                  status="dispatched")  # fmt: skip
        phone = f"08{uuid.uuid4().int % 10**9:09d}"
        body = incident_body(caller_phone=phone, lon=INCIDENT_LON + SHIFT, lat=INCIDENT_LAT)
        incident = create_incident(session, data=IncidentCreate(**body), actor="op")
        now = datetime.now(UTC)
        session.add(Assignment(incident_id=incident.id, unit_id=unit.id, job_id=uuid.uuid4().hex,
                               status="acknowledged", assigned_by="op", assigned_at=now,
                               last_sent_at=now, acked_at=now))  # fmt: skip
        _, identifier = issue_device(
            session, call_sign=unit.call_sign, protocol=protocol, unique_id=unique_id
        )
        world.unit_ids.append(unit.id)
        world.incident_ids.append(incident.id)
        return unit.id, unit.call_sign, identifier, incident.id


def alerts_of(world: World, unit_id: int) -> list[dict]:
    with world.engine.connect() as conn:
        query = text(
            "SELECT id, kind, source, report_count, ST_X(geom) AS lon, ST_Y(geom) AS lat, "
            "incident_id, acknowledged_at, acknowledged_by FROM unit_alarms WHERE unit_id = :u"
        )
        return [dict(r) for r in conn.execute(query, {"u": unit_id}).mappings()]


def reports_of(world: World, alarm_id: int) -> int:
    with world.engine.connect() as conn:
        query = text("SELECT count(*) FROM unit_alarm_reports WHERE alarm_id = :a")
        return conn.execute(query, {"a": alarm_id}).scalar_one()


def log_of(world: World, incident_id: int, action: str) -> list[dict]:
    with world.engine.connect() as conn:
        query = text(
            "SELECT actor, message, detail FROM incident_log "
            "WHERE incident_id = :i AND action = :a ORDER BY id"
        )
        return [dict(r) for r in conn.execute(query, {"i": incident_id, "a": action}).mappings()]


def operator(world: World, jurisdiction_id: int) -> dict[str, str]:
    with Session(world.engine) as session:
        return make_auth_headers(
            world.settings, session, "polres_operator", jurisdiction_id=jurisdiction_id
        )


def one_alert_after_repeat(world: World, unit_id: int) -> dict:
    """Wait for the unit's alert to count both reports; it must stay one alert."""

    def counted() -> bool:
        found = alerts_of(world, unit_id)
        return len(found) == 1 and reports_of(world, found[0]["id"]) == 2

    wait_until(counted, 20, message="both SOS reports on one alert")
    [alert] = alerts_of(world, unit_id)
    return alert


def test_a_traccar_client_sos_is_one_alert_on_the_unit_and_its_incident(world: World):
    unit_id, call_sign, identifier, incident_id = unit_on_a_job(world, "osmand")
    query = android_query("client_android_sos_query.txt", identifier, time.time())
    first = world.tracker.get(f"/?{query}")
    assert first.status_code == 200, first.text
    assert first.json()["alarm"] == "sos"
    # The app's repeat (the crew pressed SOS again) a few seconds later.
    again = android_query("client_android_sos_query.txt", identifier, time.time() + 5)
    assert world.tracker.get(f"/?{again}").status_code == 200
    alert = one_alert_after_repeat(world, unit_id)
    assert alert["kind"] == "sos" and alert["source"] == "osmand"
    assert alert["report_count"] == 2
    assert (round(alert["lon"], 6), round(alert["lat"], 6)) == SOS_SPOT
    assert alert["incident_id"] == incident_id and alert["acknowledged_at"] is None
    entries = log_of(world, incident_id, "sos")
    assert len(entries) == 1
    assert entries[0]["message"].startswith(f"DARURAT: unit {call_sign} mengirim SOS")
    assert "-1.26543, 116.83121" in entries[0]["message"]
    wait_until(lambda: [n for n in world.notices if n.get("unit_id") == unit_id], 10,
               message="alert channel notice")  # fmt: skip
    notices = [n for n in world.notices if n.get("unit_id") == unit_id]
    assert len(notices) == 1 and notices[0]["kind"] == "sos"
    assert notices[0]["alarm_id"] == alert["id"]
    # The fix it came with is stored like any other.
    with world.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM unit_positions WHERE unit_id = :u"),
                              {"u": unit_id}).scalar_one()  # fmt: skip
    assert stored == 2


def test_a_forwarded_traccar_alarm_event_and_its_position_are_one_alert(world: World):
    unit_id, call_sign, unique_id, incident_id = unit_on_a_job(world, "traccar")
    headers = {"Authorization": f"Bearer {SECRET}"}
    event = forwarded("forward_event_alarm_sos.json", unique_id, time.time())
    position = forwarded("forward_position_alarm_sos.json", unique_id, time.time())
    answer = world.tracker.post("/traccar", json=event, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["alarm"] == "sos"
    # Traccar forwards the position that carried the alarm too (forward.url).
    assert world.tracker.post("/traccar", json=position, headers=headers).status_code == 200
    alert = one_alert_after_repeat(world, unit_id)
    assert alert["source"] == "traccar" and alert["report_count"] == 2
    assert (round(alert["lon"], 6), round(alert["lat"], 6)) == SOS_SPOT
    assert len(log_of(world, incident_id, "sos")) == 1


def test_only_the_units_area_sees_the_alert_and_an_operator_acknowledges_it(world: World):
    unit_id, call_sign, identifier, incident_id = unit_on_a_job(world, "osmand")
    query = android_query("client_android_sos_query.txt", identifier, time.time())
    assert world.tracker.get(f"/?{query}").status_code == 200
    wait_until(lambda: alerts_of(world, unit_id), 20, message="alert raised")
    [alert] = alerts_of(world, unit_id)
    own, other = operator(world, world.polres_id), operator(world, world.other_polres_id)
    listed = world.api.get("/api/alarms", headers=own)
    assert listed.status_code == 200, listed.text
    [mine] = [a for a in listed.json() if a["id"] == alert["id"]]
    assert mine["message"] == f"DARURAT: unit {call_sign} mengirim SOS"
    assert mine["call_sign"] == call_sign and mine["acknowledged_at"] is None
    assert (round(mine["lon"], 6), round(mine["lat"], 6)) == SOS_SPOT
    # Another Polres sees nothing of it and cannot take it.
    theirs = world.api.get("/api/alarms", headers=other)
    assert theirs.status_code == 200 and alert["id"] not in [a["id"] for a in theirs.json()]
    refused = world.api.post(f"/api/alarms/{alert['id']}/acknowledge", headers=other)
    assert refused.status_code == 404
    taken = world.api.post(f"/api/alarms/{alert['id']}/acknowledge", headers=own)
    assert taken.status_code == 200, taken.text
    who = taken.json()["acknowledged_by"]
    assert who.startswith("test-polres_operator-") and taken.json()["acknowledged_at"]
    [stored] = alerts_of(world, unit_id)
    assert stored["acknowledged_by"] == who and stored["acknowledged_at"] is not None
    again = world.api.post(f"/api/alarms/{alert['id']}/acknowledge", headers=own)
    assert again.status_code == 409 and who in again.json()["message"]
    [entry] = log_of(world, incident_id, "sos_acknowledged")
    assert entry["actor"] == who


def test_an_mqtt_trackers_sos_on_its_status_topic_is_one_alert(world: World):
    """A Siaga MQTT tracker says SOS in the same words the listener uses, on its own topic."""
    unit_id, call_sign, _, incident_id = unit_on_a_job(world, "osmand")
    pub = Publisher(world.settings)
    topic = unit_topic(world.settings.mqtt_topic_root, call_sign, "status")
    now = time.time()
    for offset in (0, 10):  # the button held: the tracker repeats
        pub.publish(topic, {"status": "sos", "lon": SOS_SPOT[0], "lat": SOS_SPOT[1],
                            "fixed_at": now + offset})  # fmt: skip
    pub.close()
    alert = one_alert_after_repeat(world, unit_id)
    assert alert["source"] == "mqtt" and alert["incident_id"] == incident_id
    assert len(log_of(world, incident_id, "sos")) == 1


def test_a_traccar_client_9_sos_is_one_alert(world: World):
    """Traccar Client 9 posts its SOS as JSON: a position with extras {"alarm": "sos"}."""
    unit_id, _, identifier, incident_id = unit_on_a_job(world, "osmand")
    raw = (PAYLOADS / "client9_sos.json").read_text().replace("48241179", identifier)
    for offset in (0, 20):
        body = json.loads(raw)
        body["location"]["timestamp"] = time.strftime(
            "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + offset)
        )
        answer = world.tracker.post("/", json=body)
        assert answer.status_code == 200 and answer.json()["alarm"] == "sos", answer.text
    alert = one_alert_after_repeat(world, unit_id)
    assert alert["source"] == "osmand" and alert["incident_id"] == incident_id
