"""Console lifecycle steps beyond assignment: cancel a unit with a reason, reassign an
incident from one unit to another in one transaction, and record the call back to the caller."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from dispatch.assign import assign_units
from dispatch.intake import get_incident
from dispatch.log import append_log
from dispatch.models import Assignment, Incident
from dispatch.progress import advance_assignment, get_assignment
from dispatch.taxonomy import CALLBACK_OUTCOMES
from tracking.models import Unit

MAX_REASON_CHARS = 500


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("alasan wajib diisi", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"alasan paling banyak {MAX_REASON_CHARS} karakter", field="reason")
    return reason


def _active(
    session: Session,
    *,
    incident_id: int,
    assignment_id: int,
    jurisdiction_ids: Collection[int] | None,
) -> Assignment:
    assignment = get_assignment(
        session,
        assignment_id=assignment_id,
        incident_id=incident_id,
        jurisdiction_ids=jurisdiction_ids,
    )
    if assignment.released_at is not None:
        raise Conflict(f"penugasan {assignment_id} sudah berakhir", field="assignment_id")
    return assignment


def _release(
    session: Session, *, assignment: Assignment, reason: str, actor: str, action: str, at: datetime
) -> None:
    """Log why, then cancel the assignment (the unit becomes available again)."""
    call_sign = session.scalar(select(Unit.call_sign).where(Unit.id == assignment.unit_id))
    verb = "Penggantian" if action == "reassigned" else "Pembatalan"
    append_log(
        session,
        incident_id=assignment.incident_id,
        actor=actor,
        action=action,
        at=at,
        message=f"{verb} unit {call_sign}: {reason}",
        detail={"assignment_id": assignment.id, "unit_id": assignment.unit_id, "reason": reason},
    )
    advance_assignment(
        session, assignment=assignment, status="cancelled", actor=actor, source="operator", at=at
    )


def cancel_assignment(
    session: Session,
    *,
    incident_id: int,
    assignment_id: int,
    reason: str,
    actor: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Take a unit off an incident with a reason the buku mutasi keeps."""
    reason = _reason(reason)
    assignment = _active(
        session,
        incident_id=incident_id,
        assignment_id=assignment_id,
        jurisdiction_ids=jurisdiction_ids,
    )
    _release(
        session,
        assignment=assignment,
        reason=reason,
        actor=actor,
        action="cancel_reason",
        at=now or datetime.now(UTC),
    )
    return assignment


def reassign_unit(
    session: Session,
    *,
    incident_id: int,
    assignment_id: int,
    unit_id: int,
    reason: str,
    actor: str,
    eta_s: float | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[tuple[Assignment, Unit]]:
    """Send another unit in place of one, in one transaction: the new one first, so the
    incident is never left without a unit and a refused new unit leaves the old one on."""
    reason = _reason(reason)
    now = now or datetime.now(UTC)
    old = _active(
        session,
        incident_id=incident_id,
        assignment_id=assignment_id,
        jurisdiction_ids=jurisdiction_ids,
    )
    if old.unit_id == unit_id:
        raise InvalidInput("unit pengganti sama dengan unit yang diganti", field="unit_id")
    created = assign_units(
        session,
        incident_id=incident_id,
        unit_ids=[unit_id],
        actor=actor,
        etas={unit_id: eta_s} if eta_s is not None else None,
        jurisdiction_ids=jurisdiction_ids,
        now=now,
    )
    _release(session, assignment=old, reason=reason, actor=actor, action="reassigned", at=now)
    return created


def record_callback(
    session: Session,
    *,
    incident_id: int,
    outcome: str,
    actor: str,
    note: str = "",
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """The operator called the caller back (before or after closing): outcome and note."""
    if outcome not in CALLBACK_OUTCOMES:
        raise InvalidInput(f"hasil telepon balik tidak dikenal: {outcome}", field="outcome")
    now = now or datetime.now(UTC)
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    incident.callback_at, incident.callback_outcome = now, outcome
    incident.callback_note = note.strip()
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="callback",
        at=now,
        message=f"Telepon balik ke pelapor: {CALLBACK_OUTCOMES[outcome]}"
        + (f" ({incident.callback_note})" if incident.callback_note else ""),
        detail={"outcome": outcome},
    )
    return incident


def complete_assignment(
    session: Session,
    *,
    incident_id: int,
    assignment_id: int,
    result: str,
    actor: str,
    source: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Assignment:
    """ "Selesai" from the crew: the short result goes into the buku mutasi, then cleared."""
    result = (result or "").strip()
    if not result:
        raise InvalidInput("hasil penanganan wajib diisi", field="result")
    if len(result) > MAX_REASON_CHARS:
        raise InvalidInput(f"hasil paling banyak {MAX_REASON_CHARS} karakter", field="result")
    now = now or datetime.now(UTC)
    assignment = _active(
        session,
        incident_id=incident_id,
        assignment_id=assignment_id,
        jurisdiction_ids=jurisdiction_ids,
    )
    call_sign = session.scalar(select(Unit.call_sign).where(Unit.id == assignment.unit_id))
    append_log(
        session,
        incident_id=incident_id,
        actor=actor,
        action="unit_result",
        at=now,
        message=f"Hasil dari unit {call_sign}: {result}",
        detail={"assignment_id": assignment.id, "source": source},
    )
    advance_assignment(
        session, assignment=assignment, status="cleared", actor=actor, source=source, at=now
    )
    return assignment
