"""Assignment: one transaction, job over MQTT, never two incidents per unit (even concurrently)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict
from dispatch.assign import assign_units
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.models import Assignment
from dispatch.schemas import IncidentCreate
from tests.conftest import wait_until
from tests.dispatch.factories import (
    INCIDENT_LAT,
    INCIDENT_LON,
    incident_body,
    make_area,
    make_unit,
    purge,
)
from tracking.models import Unit


def _valid(api_client, **overrides) -> dict:  # noqa: ANN001, ANN003
    created = api_client.post("/api/incidents", json=incident_body(**overrides)).json()
    api_client.post(f"/api/incidents/{created['id']}/validate", json={"validity": "valid"})
    return created


def test_assignment_pushes_job_to_the_unit(api_client, db_session, area, job_listener) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.003, lat=INCIDENT_LAT, home=area.polsek_west)
    incident = _valid(api_client)
    response = api_client.post(
        f"/api/incidents/{incident['id']}/assignments",
        json={"unit_ids": [unit.id], "etas": {str(unit.id): 95.0}},
    )
    assert response.status_code == 201, response.text
    (assignment,) = response.json()
    assert assignment["status"] == "sent" and assignment["eta_s"] == 95.0
    jobs = wait_until(lambda: job_listener.jobs_for(unit.call_sign), message="job on /jobs")
    assert jobs[0]["job_id"] == assignment["job_id"] and jobs[0]["incident_id"] == incident["id"]
    assert jobs[0]["lon"] == pytest.approx(INCIDENT_LON)
    db_session.refresh(unit)
    assert unit.status == "dispatched"
    detail = api_client.get(f"/api/incidents/{incident['id']}").json()
    assert detail["status"] == "dispatched" and detail["timestamps"]["dispatched_at"]
    assert detail["assignments"][0]["call_sign"] == unit.call_sign


def test_second_incident_gets_409_naming_the_first(api_client, db_session, area) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT)
    first, second = _valid(api_client), _valid(api_client, category="ancaman")
    ok = api_client.post(f"/api/incidents/{first['id']}/assignments", json={"unit_ids": [unit.id]})
    assert ok.status_code == 201
    clash = api_client.post(
        f"/api/incidents/{second['id']}/assignments", json={"unit_ids": [unit.id]}
    )
    assert clash.status_code == 409
    assert f"laporan #{first['id']}" in clash.json()["message"]


def test_unknown_unit_names_the_field(api_client, area) -> None:
    incident = _valid(api_client)
    response = api_client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [987654]}
    )
    assert response.status_code == 422 and response.json()["field"] == "unit_ids"


def test_unvalidated_incident_cannot_be_dispatched(api_client, db_session, area) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT)
    created = api_client.post("/api/incidents", json=incident_body()).json()
    response = api_client.post(
        f"/api/incidents/{created['id']}/assignments", json={"unit_ids": [unit.id]}
    )
    assert response.status_code == 409 and "divalidasi" in response.json()["message"]


def test_partial_unique_index_refuses_a_second_active_assignment(db_session, area) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT)
    incident = create_incident(db_session, data=IncidentCreate(**incident_body()), actor="t")
    now = datetime.now(UTC)
    for n in range(2):
        db_session.add(
            Assignment(
                incident_id=incident.id,
                unit_id=unit.id,
                job_id=f"x{n}-{now}",
                assigned_by="t",
                assigned_at=now,
                last_sent_at=now,
            )
        )
        if n == 0:
            db_session.flush()
    with pytest.raises(IntegrityError, match="uq_assignments_active_unit"):
        db_session.flush()
    db_session.rollback()


@pytest.fixture
def committed(engine):  # noqa: ANN001, ANN201
    """Two valid incidents and one unit, committed (concurrent sessions must see them)."""
    with Session(engine) as session:
        # Far from the other tests' area, so their lookups and shortlists never see these rows.
        area = make_area(session, shift_lon=3.0)
        lon, lat = INCIDENT_LON + 3.0, INCIDENT_LAT
        unit = make_unit(session, lon=lon, lat=lat)
        phone = f"08{uuid.uuid4().int % 10**9:09d}"  # its own number: no shared caller history
        ids = []
        for category in ("pencurian", "ancaman"):
            fields = incident_body(caller_phone=phone, category=category, lon=lon, lat=lat)
            body = IncidentCreate(**fields)
            incident = create_incident(session, data=body, actor="t")
            validate_incident(
                session, incident_id=incident.id, validity="valid", actor="t", accept_timeout_s=60
            )
            ids.append(incident.id)
        session.commit()
        unit_id, area_ids = unit.id, area.ids()
    yield ids, unit_id
    with Session(engine) as session:
        purge(session, incident_ids=ids, unit_ids=[unit_id], jurisdiction_ids=area_ids)


def test_two_operators_at_once_one_wins(engine, committed) -> None:  # noqa: ANN001
    (first, second), unit_id = committed
    barrier = threading.Barrier(2)
    outcome: dict[int, object] = {}

    def operator(incident_id: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                assign_units(session, incident_id=incident_id, unit_ids=[unit_id], actor="op")
                session.commit()
                outcome[incident_id] = "ok"
            except Conflict as exc:
                session.rollback()
                outcome[incident_id] = exc

    threads = [threading.Thread(target=operator, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [i for i, r in outcome.items() if r == "ok"]
    assert len(winners) == 1, outcome
    (loser,) = {first, second} - set(winners)
    assert f"laporan #{winners[0]}" in outcome[loser].message
    with Session(engine) as session:
        active = session.query(Assignment).filter_by(unit_id=unit_id, released_at=None).all()
        assert [a.incident_id for a in active] == winners
        assert session.get(Unit, unit_id).status == "dispatched"


def test_moving_the_pin_sends_the_crews_the_new_point(
    api_client, db_session, area, job_listener
) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.003, lat=INCIDENT_LAT, home=area.polsek_west)
    incident = _valid(api_client)
    (assignment,) = api_client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [unit.id]}
    ).json()
    wait_until(lambda: job_listener.jobs_for(unit.call_sign), message="first job on /jobs")
    new_lon, new_lat = INCIDENT_LON + 0.0008, INCIDENT_LAT - 0.0004  # "seberangnya"
    moved = api_client.post(
        f"/api/incidents/{incident['id']}/location", json={"lon": new_lon, "lat": new_lat}
    )
    assert moved.status_code == 200, moved.text

    def updated() -> list[dict]:
        jobs = job_listener.jobs_for(unit.call_sign)
        return jobs if len(jobs) >= 2 else []

    jobs = wait_until(updated, message="the moved job on /jobs")
    assert jobs[-1]["job_id"] == assignment["job_id"]  # the same job, a new point
    assert (jobs[-1]["lon"], jobs[-1]["lat"]) == (pytest.approx(new_lon), pytest.approx(new_lat))
    log = moved.json()["log"]
    assert any(e["action"] == "job_updated" and unit.call_sign in e["message"] for e in log)
