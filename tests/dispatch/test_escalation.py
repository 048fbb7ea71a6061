"""Validation and the Polres -> Polda escalation timer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.errors import Conflict
from dispatch.escalation import accept_incident, escalate_overdue, validate_incident
from dispatch.intake import create_incident
from dispatch.log import list_log
from dispatch.schemas import IncidentCreate
from tests.dispatch.factories import incident_body


def _incident(db_session, **overrides):  # noqa: ANN001, ANN202
    return create_incident(
        db_session, data=IncidentCreate(**incident_body(**overrides)), actor="op-polda"
    )


def test_valid_incident_is_offered_then_accepted(db_session, area) -> None:
    incident = _incident(db_session)
    validate_incident(
        db_session,
        incident_id=incident.id,
        validity="valid",
        actor="op-polda",
        accept_timeout_s=90,
        priority=1,
    )
    assert incident.status == "offered" and incident.handler_level == "polda"
    assert incident.accept_deadline - incident.offered_at == timedelta(seconds=90)
    assert incident.priority == 1
    accept_incident(db_session, incident_id=incident.id, actor="op-polres")
    assert incident.status == "accepted" and incident.handler_level == "polres"
    actions = [e.action for e in list_log(db_session, incident_id=incident.id)]
    assert actions == ["created", "prioritised", "validated", "offered", "accepted"]
    with pytest.raises(Conflict):
        accept_incident(db_session, incident_id=incident.id, actor="op-polres")


def test_offer_not_accepted_in_time_goes_back_to_polda(db_session, area) -> None:
    incident = _incident(db_session)
    validate_incident(
        db_session, incident_id=incident.id, validity="valid", actor="op", accept_timeout_s=60
    )
    # Only this incident's membership is asserted: committed rows of other tests may be due too.
    assert incident.id not in escalate_overdue(
        db_session, now=incident.offered_at + timedelta(seconds=59)
    )
    later = incident.offered_at + timedelta(seconds=61)
    with pytest.raises(Conflict, match="batas waktu"):
        accept_incident(db_session, incident_id=incident.id, actor="op-polres", now=later)
    assert incident.id in escalate_overdue(db_session, now=later)
    assert incident.status == "escalated" and incident.handler_level == "polda"
    last = list_log(db_session, incident_id=incident.id)[-1]
    assert last.action == "escalated" and "Polres tidak menerima dalam 61 detik" in last.message


def test_prank_and_invalid_are_closed(db_session, area) -> None:
    for validity, disposition in (("prank", "iseng"), ("invalid", "tidak_valid")):
        incident = _incident(db_session, caller_phone="0819000111")
        validate_incident(
            db_session, incident_id=incident.id, validity=validity, actor="op", accept_timeout_s=60
        )
        assert incident.status == "closed" and incident.disposition == disposition


def test_log_is_append_only(db_session, area) -> None:
    incident = _incident(db_session)
    db_session.flush()
    for statement in ("UPDATE incident_log SET message = 'x'", "DELETE FROM incident_log"):
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement + " WHERE incident_id = :id"), {"id": incident.id})
    assert len(list_log(db_session, incident_id=incident.id)) == 1
