"""Bantuan (request for help): a unit of another Polres, assigned only once that Polres or the
Polda approves. The incident's buku mutasi and each side's bantuan log record every step.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.db import unique_or
from core.errors import Conflict, InvalidInput, NotFound
from dispatch.assign import assign_units, check_dispatchable, unit_in_scope
from dispatch.intake import get_incident
from dispatch.log import append_log
from dispatch.models import Assignment, BantuanLog, BantuanRequest, Incident
from jurisdictions.service import chains_for
from tracking.models import Unit

STEP_MESSAGES = {
    "requested": "Bantuan unit {cs} diminta untuk laporan #{incident}",
    "approved": "Bantuan unit {cs} untuk laporan #{incident} disetujui",
    "refused": "Bantuan unit {cs} untuk laporan #{incident} ditolak",
}


def _command_of(session: Session, jurisdiction_id: int | None) -> int | None:
    """The Polres above (or at) a jurisdiction, else its Polda: the side that decides."""
    if jurisdiction_id is None:
        return None
    chain = chains_for(session, ids=[jurisdiction_id]).get(jurisdiction_id)
    if chain is None:
        return jurisdiction_id
    ref = chain.refs.get("polres") or chain.refs.get("polda")
    return ref.id if ref else jurisdiction_id


def _log_step(
    session: Session, request: BantuanRequest, *, step: str, actor: str, note: str, at: datetime
) -> None:
    """One row on each side's bantuan log and one in the incident's buku mutasi."""
    call_sign = session.scalar(select(Unit.call_sign).where(Unit.id == request.unit_id))
    message = STEP_MESSAGES[step].format(cs=call_sign, incident=request.incident_id)
    message += f" ({note})" if note else ""
    sides = dict.fromkeys([request.requester_jurisdiction_id, request.lender_jurisdiction_id])
    for side in sides:
        session.add(
            BantuanLog(
                request_id=request.id,
                jurisdiction_id=side,
                at=at,
                actor=actor,
                action=step,
                message=message,
            )
        )
    append_log(
        session,
        incident_id=request.incident_id,
        actor=actor,
        action=f"bantuan_{step}",
        at=at,
        message=message,
        detail={"bantuan_id": request.id, "unit_id": request.unit_id},
    )
    session.flush()


def request_bantuan(
    session: Session,
    *,
    incident_id: int,
    unit_id: int,
    actor: str,
    note: str = "",
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> BantuanRequest:
    """Ask for a unit homed outside the caller's jurisdictions for an incident inside them."""
    now = now or datetime.now(UTC)
    incident = get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    check_dispatchable(incident)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} tidak ditemukan", field="unit_id")
    if unit_in_scope(unit, jurisdiction_ids):
        raise InvalidInput(
            f"unit {unit.call_sign} di wilayah Anda sendiri; tugaskan langsung", field="unit_id"
        )
    request = BantuanRequest(
        incident_id=incident.id,
        unit_id=unit.id,
        requester_jurisdiction_id=incident.polres_id or incident.polda_id,
        lender_jurisdiction_id=_command_of(session, unit.home_jurisdiction_id),
        status="pending",
        note=note,
        requested_by=actor,
        requested_at=now,
        decision_note="",
    )
    pending = Conflict(f"bantuan unit {unit.call_sign} sudah diminta", field="unit_id")
    with unique_or(pending, session):
        session.add(request)
    _log_step(session, request, step="requested", actor=actor, note=note, at=now)
    return request


def _pending_for_lender(
    session: Session, *, request_id: int, jurisdiction_ids: Collection[int] | None
) -> tuple[BantuanRequest, Unit]:
    """A request whose unit lies within the deciding caller's jurisdictions, locked."""
    request = session.get(BantuanRequest, request_id, with_for_update=True)
    unit = session.get(Unit, request.unit_id) if request else None
    if request is None or unit is None or not unit_in_scope(unit, jurisdiction_ids):
        raise NotFound(f"permintaan bantuan {request_id} tidak ditemukan", field="request_id")
    if request.status != "pending":
        raise Conflict(
            f"permintaan bantuan {request_id} sudah berstatus {request.status}", field="request_id"
        )
    return request, unit


def approve_bantuan(
    session: Session,
    *,
    request_id: int,
    actor: str,
    note: str = "",
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> tuple[BantuanRequest, list[tuple[Assignment, Unit]]]:
    """The unit's Polres (or the Polda) approves: the unit is assigned to the incident."""
    now = now or datetime.now(UTC)
    request, unit = _pending_for_lender(
        session, request_id=request_id, jurisdiction_ids=jurisdiction_ids
    )
    request.status, request.decided_by, request.decided_at = "approved", actor, now
    request.decision_note = note
    _log_step(session, request, step="approved", actor=actor, note=note, at=now)
    # The lender's approval is the authority for its unit; the incident lies outside its scope.
    created = assign_units(
        session, incident_id=request.incident_id, unit_ids=[unit.id], actor=actor, now=now
    )
    request.assignment_id = created[0][0].id
    return request, created


def refuse_bantuan(
    session: Session,
    *,
    request_id: int,
    actor: str,
    note: str = "",
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> BantuanRequest:
    """The unit's Polres (or the Polda) refuses; the unit stays where it is."""
    now = now or datetime.now(UTC)
    request, _ = _pending_for_lender(
        session, request_id=request_id, jurisdiction_ids=jurisdiction_ids
    )
    request.status, request.decided_by, request.decided_at = "refused", actor, now
    request.decision_note = note
    _log_step(session, request, step="refused", actor=actor, note=note, at=now)
    return request


def list_bantuan(
    session: Session,
    *,
    status: str | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    limit: int = 100,
) -> list[BantuanRequest]:
    """Requests the caller asked for (incident in scope) or decides on (unit in scope)."""
    query = select(BantuanRequest).order_by(BantuanRequest.id.desc()).limit(limit)
    if jurisdiction_ids is not None:
        ids = list(jurisdiction_ids)
        query = (
            query.join(Unit, Unit.id == BantuanRequest.unit_id)
            .join(Incident, Incident.id == BantuanRequest.incident_id)
            .where(
                or_(
                    Unit.home_jurisdiction_id.in_(ids),
                    Incident.polda_id.in_(ids),
                    Incident.polres_id.in_(ids),
                    Incident.polsek_id.in_(ids),
                )
            )
        )
    if status:
        query = query.where(BantuanRequest.status == status)
    return list(session.scalars(query))


def bantuan_log(session: Session, *, request_id: int) -> list[BantuanLog]:
    """Both sides' records of one request, oldest first."""
    query = select(BantuanLog).where(BantuanLog.request_id == request_id)
    return list(session.scalars(query.order_by(BantuanLog.id)))
