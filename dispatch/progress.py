"""Assignment progress (acknowledged, en route, on scene, cleared) and closing an incident."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from dispatch.assign import active_assignments
from dispatch.clock import response_clock
from dispatch.intake import get_incident
from dispatch.log import append_log
from dispatch.models import Assignment, Incident
from dispatch.taxonomy import CALLBACK_OUTCOMES, DISPOSITIONS
from tracking.models import Unit

log = logging.getLogger("siaga.dispatch.progress")

ORDER = {"sent": 0, "acknowledged": 1, "en_route": 2, "on_scene": 3, "cleared": 4}
# Unit status that follows each assignment step (None: unchanged).
UNIT_STATUS = {
    "acknowledged": None,
    "en_route": "en_route",
    "on_scene": "on_scene",
    "cleared": "available",
    "cancelled": "available",
}
MESSAGES = {
    "acknowledged": "Unit {cs} mengonfirmasi tugas",
    "en_route": "Unit {cs} menuju lokasi",
    "on_scene": "Unit {cs} tiba di lokasi",
    "cleared": "Unit {cs} selesai di lokasi",
    "cancelled": "Penugasan unit {cs} dibatalkan",
}


def get_assignment(
    session: Session,
    *,
    assignment_id: int,
    incident_id: int,
    jurisdiction_ids: Collection[int] | None = None,
) -> Assignment:
    """One assignment of an incident in the caller's scope, locked for update."""
    get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    assignment = session.get(Assignment, assignment_id, with_for_update=True)
    if assignment is None or assignment.incident_id != incident_id:
        raise NotFound(f"penugasan {assignment_id} tidak ditemukan", field="assignment_id")
    return assignment


def advance_assignment(
    session: Session,
    *,
    assignment: Assignment,
    status: str,
    actor: str,
    source: str,
    at: datetime | None = None,
    move_unit: bool = True,
    strict: bool = True,
) -> bool:
    """Move an assignment forward (never back); stamps the incident's first-time timestamps.

    strict raises Conflict on a step back or on a released assignment; otherwise it is ignored
    (tracker events are replayed idempotently). Returns whether anything changed.
    """
    at = at or datetime.now(UTC)
    if assignment.released_at is not None or (
        status != "cancelled" and ORDER[status] <= ORDER[assignment.status]
    ):
        if strict and assignment.status != status:
            raise Conflict(f"penugasan berstatus {assignment.status}", field="status")
        return False
    incident = session.get(Incident, assignment.incident_id, with_for_update=True)
    _stamp(assignment, incident, status, source, at)
    call_sign = session.scalar(select(Unit.call_sign).where(Unit.id == assignment.unit_id))
    if move_unit and UNIT_STATUS[status]:
        from tracking.service import set_unit_status

        try:
            set_unit_status(
                session,
                unit_id=assignment.unit_id,
                status=UNIT_STATUS[status],
                actor=actor,
                reason=f"laporan #{incident.id}",
            )
        except Conflict:
            if strict:
                raise
            log.warning("unit %s status not moved to %s", call_sign, UNIT_STATUS[status])
    detail = {"assignment_id": assignment.id, "source": source}
    message = MESSAGES[status].format(cs=call_sign)
    if status == "on_scene":
        message += f" ({source}); {response_clock(incident, now=at)['message']}"
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action=f"unit_{status}",
        message=message,
        detail=detail,
        at=at,
    )
    if assignment.released_at is not None:
        _maybe_cleared(session, incident, at)
    return True


def _stamp(assignment: Assignment, incident: Incident, status: str, source: str, at: datetime):  # noqa: ANN202
    if status in ("cleared", "cancelled"):
        assignment.released_at = at
        assignment.cleared_at = at if status == "cleared" else None
    else:
        assignment.acked_at = assignment.acked_at or at
        incident.acknowledged_at = incident.acknowledged_at or at
    if status == "en_route":
        assignment.en_route_at = at
        incident.en_route_at = incident.en_route_at or at
    if status == "on_scene":
        assignment.on_scene_at, assignment.arrival_source = at, source
        incident.on_scene_at = incident.on_scene_at or at
        if incident.status == "dispatched":
            incident.status = "on_scene"
    assignment.status = status


def _maybe_cleared(session: Session, incident: Incident, at: datetime) -> None:
    """With no unit left on it: cleared if a unit finished, else back to awaiting dispatch."""
    session.flush()
    if active_assignments(session, incident_id=incident.id) or incident.closed_at is not None:
        return
    if incident.status not in ("dispatched", "on_scene"):
        return
    finished = session.scalar(
        select(Assignment.id)
        .where(Assignment.incident_id == incident.id, Assignment.status == "cleared")
        .limit(1)
    )
    if finished is None:  # every unit was cancelled: the incident needs a unit again
        incident.status = _awaiting_status(incident)
        append_log(
            session,
            incident_id=incident.id,
            actor="system",
            action="undispatched",
            at=at,
            message="Tidak ada unit yang bertugas; laporan menunggu pengerahan",
        )
        return
    incident.status, incident.cleared_at = "cleared", at
    append_log(
        session,
        incident_id=incident.id,
        actor="system",
        action="cleared",
        at=at,
        message="Semua unit selesai; menunggu penutupan laporan",
    )


def _awaiting_status(incident: Incident) -> str:
    """Where an incident without units stands in the escalation machine."""
    for status, stamp in (
        ("accepted", incident.accepted_at),
        ("escalated", incident.escalated_at),
        ("offered", incident.offered_at),
    ):
        if stamp is not None:
            return status
    return "received"


def close_incident(
    session: Session,
    *,
    incident_id: int,
    disposition: str,
    callback_outcome: str,
    actor: str,
    callback_at: datetime | None = None,
    callback_note: str = "",
    note: str = "",
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """Close with a disposition and the call back to the caller; no unit may still be on it."""
    now = now or datetime.now(UTC)
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    if incident.closed_at is not None:
        raise Conflict(f"laporan {incident_id} sudah ditutup", field="incident_id")
    busy = active_assignments(session, incident_id=incident_id)
    if busy:
        raise Conflict(f"masih ada {len(busy)} unit bertugas; selesaikan dulu", field="incident_id")
    incident.status, incident.closed_at, incident.disposition = "closed", now, disposition
    incident.callback_at = callback_at or now
    incident.callback_outcome, incident.callback_note = callback_outcome, callback_note
    clock = response_clock(incident, now=now)
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="closed",
        at=now,
        message=f"Ditutup: {DISPOSITIONS[disposition]}; telepon balik: "
        f"{CALLBACK_OUTCOMES[callback_outcome]}. {clock['message']}"
        + (f" ({note})" if note else ""),
        detail={"disposition": disposition, "callback_outcome": callback_outcome, "clock": clock},
    )
    return incident
