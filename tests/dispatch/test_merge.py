"""Merge locks both incidents and no sequence of merges closes a cycle; clocks stop at arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.errors import Conflict
from dispatch.assign import assign_units
from dispatch.board import open_board
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident, merge_incident
from dispatch.models import Incident
from dispatch.progress import advance_assignment
from dispatch.schemas import IncidentCreate
from tests.dispatch.factories import (
    INCIDENT_LAT,
    INCIDENT_LON,
    incident_body,
    make_area,
    make_unit,
    purge,
)

LOCK_NOWAIT = text("SELECT id FROM incidents WHERE id = :id FOR UPDATE NOWAIT")


def _incident(session: Session) -> int:
    return create_incident(session, data=IncidentCreate(**incident_body()), actor="uji").id


def test_an_open_merge_holds_both_rows(engine: Engine) -> None:
    with Session(engine) as session:
        jurisdictions = make_area(session).ids()
        a, b = _incident(session), _incident(session)
        session.commit()
    try:
        with Session(engine) as merging, Session(engine) as other:
            merge_incident(merging, incident_id=a, into_id=b, actor="uji")
            for incident_id in (a, b):  # neither row can be taken while the merge is open
                with pytest.raises(OperationalError, match="could not obtain lock"):
                    other.execute(LOCK_NOWAIT, {"id": incident_id})
                other.rollback()
            merging.rollback()
    finally:
        with Session(engine) as session:
            purge(session, incident_ids=[a, b], jurisdiction_ids=jurisdictions[::-1])


def _originals(session: Session, ids: list[int]) -> dict[int, int | None]:
    rows = session.query(Incident.id, Incident.duplicate_of_id).filter(Incident.id.in_(ids))
    return dict(rows.all())


def test_no_order_of_merges_makes_a_cycle(db_session: Session, area) -> None:  # noqa: ANN001
    a, b, c = (_incident(db_session) for _ in range(3))
    merge_incident(db_session, incident_id=a, into_id=b, actor="uji")
    merge_incident(db_session, incident_id=b, into_id=c, actor="uji")  # b's own original: c
    for source, target in ((c, a), (c, b)):  # each would lead back to c
        with pytest.raises(Conflict) as refused:
            merge_incident(db_session, incident_id=source, into_id=target, actor="uji")
        assert refused.value.field == "into_id"
    originals = _originals(db_session, [a, b, c])
    for start in (a, b, c):  # following duplicate_of never comes back
        seen, current = set(), start
        while current is not None:
            assert current not in seen
            seen.add(current)
            current = originals.get(current)


def test_the_clock_stops_at_the_first_arrival(db_session: Session, area) -> None:  # noqa: ANN001
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT, home=area.polsek_west)
    received = datetime.now(UTC) - timedelta(minutes=12)
    body = incident_body(call_received_at=received.isoformat())
    incident = create_incident(db_session, data=IncidentCreate(**body), actor="op", now=received)
    validate_incident(
        db_session, incident_id=incident.id, validity="valid", actor="op", accept_timeout_s=60
    )
    ((assignment, _),) = assign_units(
        db_session, incident_id=incident.id, unit_ids=[unit.id], actor="op"
    )
    advance_assignment(
        db_session, assignment=assignment, status="on_scene", actor="gps", source="gps",
        at=incident.call_received_at + timedelta(seconds=31),
    )  # fmt: skip
    clocks = [
        next(r for r in open_board(db_session, now=now) if r["id"] == incident.id)["clock"]
        for now in (datetime.now(UTC), datetime.now(UTC) + timedelta(hours=1))
    ]
    assert clocks[0] == clocks[1]  # nothing moves after the arrival
    assert clocks[0]["state"] == "met" and clocks[0]["response_s"] == 31.0
    assert clocks[0]["remaining_s"] is None and clocks[0]["elapsed_s"] == 31.0
