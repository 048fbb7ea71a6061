"""One table of unit-status transitions: tracking's ingest and dispatch's worker agree on it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from dispatch.assign import assign_units
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.monitor import apply_tracker_events
from dispatch.recommend import nearby_units
from dispatch.schemas import IncidentCreate
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_unit
from tracking.unit_status import (
    DISPATCHABLE,
    RELEASING_STEPS,
    STATUSES,
    STEP_UNIT_STATUS,
    TRACKER_REPORTS,
    TRANSITIONS,
)
from tracking.writer import store_event


def _dispatch(db_session, area, unit=None):  # noqa: ANN001, ANN202
    unit = unit or make_unit(
        db_session, lon=INCIDENT_LON + 0.009, lat=INCIDENT_LAT, home=area.polsek_east
    )
    incident = create_incident(db_session, data=IncidentCreate(**incident_body()), actor="op")
    validate_incident(
        db_session, incident_id=incident.id, validity="valid", actor="op", accept_timeout_s=60
    )
    ((assignment, _),) = assign_units(
        db_session, incident_id=incident.id, unit_ids=[unit.id], actor="op"
    )
    return incident, unit, assignment


def _report(db_session, unit, word: str, job_id: str, at: datetime) -> None:  # noqa: ANN001
    """A tracker's /status as the ingest worker stores it, then the dispatch worker's pass."""
    body = {"status": word, "job_id": job_id, "at": at.isoformat()}
    raw = json.dumps(body).encode()
    store_event(
        db_session, unit_id=unit.id, call_sign=unit.call_sign, kind="status", job_id=job_id,
        status=word, payload=body, topic=f"t/units/{unit.call_sign}/status", raw=raw,
        received_at=at,
    )  # fmt: skip
    apply_tracker_events(db_session)
    db_session.refresh(unit)


def _ready_ids(db_session, settings) -> set[int]:
    now = datetime.now(UTC)
    rows, _ = nearby_units(
        db_session, lon=INCIDENT_LON, lat=INCIDENT_LAT, stale_s=settings.unit_fix_stale_s,
        now=now, limit=100,
    )  # fmt: skip
    return {row["id"] for row in rows}


@pytest.mark.parametrize("path", [("en_route", "on_scene", "returning"), ("returning",)])
def test_returning_clears_the_job_and_the_unit_can_be_sent_again(db_session, area, settings, path):
    _, unit, assignment = _dispatch(db_session, area)
    at = datetime.now(UTC)
    for n, word in enumerate(path):
        _report(db_session, unit, word, assignment.job_id, at + timedelta(seconds=n))
    assert assignment.released_at is not None and assignment.status == "cleared"
    assert unit.status == "returning"  # never stuck as "dispatched" with no job
    assert unit.id in _ready_ids(db_session, settings)
    _, again, second = _dispatch(db_session, area, unit=unit)
    assert second.unit_id == unit.id and again.status == "dispatched"


@pytest.mark.parametrize("word", sorted(TRACKER_REPORTS))
def test_ingest_and_worker_follow_the_table(db_session, area, word):
    _, unit, assignment = _dispatch(db_session, area)
    report = TRACKER_REPORTS[word]
    _report(db_session, unit, word, assignment.job_id, datetime.now(UTC))
    moves = report.unit_status in TRANSITIONS["dispatched"]
    assert unit.status == (report.unit_status if moves else "dispatched")
    assert assignment.status == (report.assignment_step or "sent")


def test_a_released_unit_is_always_dispatchable():
    released = [r for r in TRACKER_REPORTS.values() if r.assignment_step in RELEASING_STEPS]
    assert {r.unit_status for r in released} <= set(DISPATCHABLE)
    assert {STEP_UNIT_STATUS[step] for step in RELEASING_STEPS} <= set(DISPATCHABLE)
    for status, targets in TRANSITIONS.items():
        assert status in STATUSES and targets <= set(STATUSES)
    assert set(DISPATCHABLE) <= set(STATUSES)


def test_the_database_knows_the_same_statuses(db_session):
    definition = db_session.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'units'::regclass AND conname LIKE '%status%'"
        )
    ).scalar_one()
    assert set(re.findall(r"'(\w+)'", definition)) == set(STATUSES)
