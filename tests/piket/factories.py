"""Plain factory functions for piket tests: users of the call centre, shifts, incidents."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.auth import create_user
from api.models import User
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.models import Incident
from dispatch.schemas import IncidentCreate
from jurisdictions.models import Jurisdiction
from piket.schemas import CheckIn, MemberIn
from piket.shifts import checklist_items, prepare_shift
from tests.conftest import _test_password_hash
from tests.dispatch.factories import incident_body


def make_user(
    session: Session,
    role: str,
    jurisdiction: Jurisdiction,
    *,
    function_code: str | None = None,
    full_name: str = "",
) -> User:
    """A user of `role` at `jurisdiction` (the test password)."""
    return create_user(
        session,
        username=f"t-{role}-{uuid.uuid4().hex[:8]}",
        password_hash=_test_password_hash(),
        role=role,
        jurisdiction_id=jurisdiction.id,
        function_code=function_code,
        full_name=full_name or f"Uji {role}",
    )


def all_checks(names: list[str], *, missing: dict[str, str] | None = None) -> list[CheckIn]:
    """Every preparation item answered: ok, except `missing` {code: note}."""
    missing = missing or {}
    return [
        CheckIn(code=code, ok=code not in missing, note=missing.get(code, ""))
        for code, _ in checklist_items(names)
    ]


def open_shift(
    session: Session,
    center: Jurisdiction,
    perwira: User,
    names: list[str],
    *,
    at: datetime,
    missing: dict[str, str] | None = None,
):  # noqa: ANN201
    """Prepare (and, with nobody on duty, open) a shift of `names` under `perwira`."""
    return prepare_shift(
        session,
        center=center,
        perwira_username=perwira.username,
        perwira_rank="IPTU",
        members=[MemberIn(name=name, rank="BRIPKA") for name in names],
        checks=all_checks(names, missing=missing),
        planned_hours=12,
        actor=perwira.username,
        now=at,
    )


def make_incident(
    session: Session, *, at: datetime, validity: str = "valid", actor: str = "op", **body
) -> Incident:
    """An incident received at `at` and validated at the same instant."""
    incident = create_incident(
        session,
        data=IncidentCreate(**incident_body(call_received_at=at, **body)),
        actor=actor,
        now=at,
    )
    validate_incident(
        session,
        incident_id=incident.id,
        validity=validity,
        actor=actor,
        accept_timeout_s=120,
        now=at,
    )
    return incident


# What a test that had to commit its area leaves behind, removed in dependency order; the
# append-only triggers are disabled only inside this transaction.
CLEANUP = [
    "ALTER TABLE piket_journal DISABLE TRIGGER piket_journal_append_only",
    "ALTER TABLE piket_order_actions DISABLE TRIGGER piket_order_actions_append_only",
    "ALTER TABLE incident_log DISABLE TRIGGER incident_log_append_only",
    "DELETE FROM piket_order_actions WHERE order_id IN (SELECT id FROM piket_orders o"
    " WHERE o.incident_id IN (SELECT id FROM incidents WHERE polda_id = :polda))",
    "DELETE FROM piket_orders WHERE incident_id IN"
    " (SELECT id FROM incidents WHERE polda_id = :polda)",
    "DELETE FROM piket_forwards WHERE jurisdiction_id = ANY(:ids)",
    "DELETE FROM piket_journal WHERE shift_id IN"
    " (SELECT id FROM piket_shifts WHERE center_id = :polda)",
    "DELETE FROM piket_shift_members WHERE shift_id IN"
    " (SELECT id FROM piket_shifts WHERE center_id = :polda)",
    "DELETE FROM piket_shifts WHERE center_id = :polda",
    "DELETE FROM piket_daily_reports WHERE center_id = :polda",
    "DELETE FROM incident_log WHERE incident_id IN"
    " (SELECT id FROM incidents WHERE polda_id = :polda)",
    "DELETE FROM incidents WHERE polda_id = :polda",
    "DELETE FROM users WHERE jurisdiction_id = ANY(:ids)",
    "DELETE FROM jurisdictions WHERE id = ANY(:ids)",
    "ALTER TABLE incident_log ENABLE TRIGGER incident_log_append_only",
    "ALTER TABLE piket_order_actions ENABLE TRIGGER piket_order_actions_append_only",
    "ALTER TABLE piket_journal ENABLE TRIGGER piket_journal_append_only",
]


def remove_committed_area(engine: Engine, area) -> None:  # noqa: ANN001
    """Delete a committed test area (tests.dispatch.factories.Area) and all piket rows on it."""
    with Session(engine) as session:
        for statement in CLEANUP:
            session.execute(text(statement), {"polda": area.polda.id, "ids": area.ids()})
        session.commit()
