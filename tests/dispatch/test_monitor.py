"""Worker checks: tracker acks, re-send then alert, GPS arrival; crew updates and closing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from core.mqtt import BrokerLink
from dispatch.assign import assign_units
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.log import list_log
from dispatch.monitor import apply_tracker_events, detect_arrivals, resend_unacknowledged
from dispatch.schemas import IncidentCreate
from tests.conftest import wait_until
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_unit
from tracking.models import UnitEvent, UnitPositionLatest


@pytest.fixture
def dispatched(db_session, area):  # noqa: ANN001, ANN201
    """A valid incident with one unit 1 km away assigned to it."""
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.009, lat=INCIDENT_LAT, home=area.polsek_east)
    incident = create_incident(db_session, data=IncidentCreate(**incident_body()), actor="op")
    validate_incident(
        db_session, incident_id=incident.id, validity="valid", actor="op", accept_timeout_s=60
    )
    ((assignment, _),) = assign_units(
        db_session, incident_id=incident.id, unit_ids=[unit.id], actor="op"
    )
    return incident, unit, assignment


@pytest.fixture
def link(settings):  # noqa: ANN001, ANN201
    broker = BrokerLink(settings.mqtt_dsn(), f"test-dispatch-{uuid.uuid4().hex[:6]}")
    broker.start()
    wait_until(lambda: broker.connected, message="broker link")
    yield broker
    broker.stop()


def _event(db_session, unit, kind: str, job_id: str | None, status: str | None = None) -> None:  # noqa: ANN001
    db_session.add(
        UnitEvent(
            unit_id=unit.id,
            kind=kind,
            job_id=job_id,
            status=status,
            payload={"job_id": job_id},
            received_at=datetime.now(UTC),
            dedup_key=uuid.uuid4().hex,
        )
    )
    db_session.flush()


def test_tracker_ack_and_status_move_the_incident(db_session, dispatched) -> None:
    incident, unit, assignment = dispatched
    _event(db_session, unit, "ack", assignment.job_id)
    assert apply_tracker_events(db_session) == 1
    assert assignment.status == "acknowledged" and incident.acknowledged_at is not None
    assert apply_tracker_events(db_session) == 0  # replays change nothing
    _event(db_session, unit, "status", None, "en_route")  # status without job_id: by unit
    apply_tracker_events(db_session)
    assert assignment.status == "en_route" and incident.en_route_at is not None


def test_unacknowledged_job_is_resent_then_alerted(
    db_session, dispatched, link, settings, job_listener
) -> None:
    incident, unit, assignment = dispatched
    root, sent = settings.mqtt_topic_root, assignment.last_sent_at
    kwargs = {"topic_root": root, "ack_timeout_s": 20, "max_sends": 2}
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=19), **kwargs) == (
        0,
        0,
    )
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=21), **kwargs) == (
        1,
        0,
    )
    jobs = wait_until(lambda: job_listener.jobs_for(unit.call_sign), message="re-sent job")
    assert jobs[0]["job_id"] == assignment.job_id and assignment.send_count == 2
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=42), **kwargs) == (
        0,
        1,
    )
    assert assignment.alerted_at is not None
    actions = [e.action for e in list_log(db_session, incident_id=incident.id)]
    assert actions[-2:] == ["job_resent", "alert"]
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=99), **kwargs) == (
        0,
        0,
    )


def _move(db_session, unit, lon: float, lat: float, at: datetime, accuracy_m: float) -> None:  # noqa: ANN001
    fix = db_session.get(UnitPositionLatest, unit.id)
    fix.geom, fix.accuracy_m = from_shape(Point(lon, lat), srid=4326), accuracy_m
    fix.fixed_at, fix.received_at = at, at + timedelta(seconds=1)
    db_session.flush()


def test_gps_arrival_needs_radius_accuracy_and_dwell(db_session, dispatched) -> None:
    incident, unit, assignment = dispatched
    t0 = assignment.assigned_at
    args = {"radius_m": 75, "dwell_s": 20, "max_accuracy_m": 50}
    _move(db_session, unit, INCIDENT_LON + 0.0003, INCIDENT_LAT, t0 + timedelta(seconds=60), 200)
    assert detect_arrivals(db_session, **args) == 0 and assignment.inside_since is None
    _move(db_session, unit, INCIDENT_LON + 0.0003, INCIDENT_LAT, t0 + timedelta(seconds=70), 8)
    assert detect_arrivals(db_session, **args) == 0
    assert assignment.inside_since == t0 + timedelta(seconds=70)
    _move(db_session, unit, INCIDENT_LON + 0.0002, INCIDENT_LAT, t0 + timedelta(seconds=95), 6)
    assert detect_arrivals(db_session, **args) == 1
    assert assignment.on_scene_at == t0 + timedelta(seconds=70)
    assert assignment.arrival_source == "gps" and incident.status == "on_scene"
    assert incident.on_scene_at == t0 + timedelta(seconds=70)
    db_session.refresh(unit)
    assert unit.status == "on_scene"


def test_unit_leaving_the_radius_resets_the_dwell(db_session, dispatched) -> None:
    _, unit, assignment = dispatched
    t0, args = assignment.assigned_at, {"radius_m": 75, "dwell_s": 20, "max_accuracy_m": 50}
    _move(db_session, unit, INCIDENT_LON, INCIDENT_LAT, t0 + timedelta(seconds=10), 5)
    detect_arrivals(db_session, **args)
    _move(db_session, unit, INCIDENT_LON + 0.005, INCIDENT_LAT, t0 + timedelta(seconds=20), 5)
    detect_arrivals(db_session, **args)
    _move(db_session, unit, INCIDENT_LON, INCIDENT_LAT, t0 + timedelta(seconds=35), 5)
    assert detect_arrivals(db_session, **args) == 0
    assert assignment.inside_since == t0 + timedelta(seconds=35)


def test_crew_updates_then_close_with_disposition_and_callback(
    api_client, db_session, area
) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT, home=area.polsek_west)
    created = api_client.post("/api/incidents", json=incident_body()).json()
    base = f"/api/incidents/{created['id']}"
    api_client.post(f"{base}/validate", json={"validity": "valid"})
    api_client.post(f"{base}/accept", json={})
    (assignment,) = api_client.post(f"{base}/assignments", json={"unit_ids": [unit.id]}).json()
    status_url = f"{base}/assignments/{assignment['id']}/status"
    for status in ("en_route", "on_scene"):
        assert api_client.post(status_url, json={"status": status}).status_code == 200
    assert api_client.post(status_url, json={"status": "en_route"}).status_code == 409
    close = {"disposition": "selesai_di_tempat", "callback_outcome": "tersambung"}
    busy = api_client.post(f"{base}/close", json=close)
    assert busy.status_code == 409 and "unit bertugas" in busy.json()["message"]
    assert api_client.post(status_url, json={"status": "cleared"}).json()["released_at"]
    no_callback = api_client.post(f"{base}/close", json={"disposition": "selesai_di_tempat"})
    assert no_callback.status_code == 422 and no_callback.json()["field"].endswith(
        "callback_outcome"
    )
    closed = api_client.post(f"{base}/close", json=close).json()
    assert closed["status"] == "closed" and closed["callback_outcome"] == "tersambung"
    stamps = closed["timestamps"]
    for name in (
        "call_received_at",
        "created_at",
        "validated_at",
        "accepted_at",
        "dispatched_at",
        "acknowledged_at",
        "en_route_at",
        "on_scene_at",
        "cleared_at",
        "closed_at",
        "callback_at",
    ):
        assert stamps[name], name
    assert closed["clock"]["state"] == "met" and closed["clock"]["margin_s"] > 0
    assert (
        closed["log"][-1]["action"] == "closed"
        and "Target tercapai" in closed["log"][-1]["message"]
    )
    db_session.refresh(unit)
    assert unit.status == "available"


def test_a_unit_updates_only_its_own_assignment(api_client, user_client, db_session, area) -> None:
    west = area.polsek_west
    mine = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT, home=west)
    other = make_unit(db_session, lon=INCIDENT_LON + 0.003, lat=INCIDENT_LAT, home=west)
    created = api_client.post("/api/incidents", json=incident_body()).json()
    base = f"/api/incidents/{created['id']}"
    api_client.post(f"{base}/validate", json={"validity": "valid"})
    assignments = api_client.post(f"{base}/assignments", json={"unit_ids": [mine.id, other.id]})
    by_unit = {a["unit_id"]: a["id"] for a in assignments.json()}
    crew = user_client("unit", unit_id=mine.id, jurisdiction_id=west.id)
    own = crew.post(f"{base}/assignments/{by_unit[mine.id]}/status", json={"status": "en_route"})
    assert own.status_code == 200 and own.json()["status"] == "en_route"
    foreign = crew.post(
        f"{base}/assignments/{by_unit[other.id]}/status", json={"status": "en_route"}
    )
    assert foreign.status_code == 403
    log = api_client.get(f"{base}/log").json()
    assert log[-1]["action"] == "unit_en_route" and log[-1]["detail"]["source"] == "crew"


def test_cancelled_unit_frees_the_incident_for_another(api_client, db_session, area) -> None:
    first = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT)
    second = make_unit(db_session, lon=INCIDENT_LON + 0.004, lat=INCIDENT_LAT)
    created = api_client.post("/api/incidents", json=incident_body()).json()
    base = f"/api/incidents/{created['id']}"
    api_client.post(f"{base}/validate", json={"validity": "valid"})
    (assignment,) = api_client.post(f"{base}/assignments", json={"unit_ids": [first.id]}).json()
    cancel = {"status": "cancelled", "note": "unit mogok"}
    assert (
        api_client.post(f"{base}/assignments/{assignment['id']}/status", json=cancel).status_code
        == 200
    )
    incident = api_client.get(base).json()
    assert incident["status"] == "offered" and incident["log"][-1]["action"] == "undispatched"
    again = api_client.post(f"{base}/assignments", json={"unit_ids": [second.id]})
    assert again.status_code == 201
    assert api_client.get(base).json()["status"] == "dispatched"
    db_session.refresh(first)
    assert first.status == "available"
