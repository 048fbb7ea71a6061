"""Assignment progress (acknowledged, en route, on scene, cleared) and closing an incident."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from dispatch.assign import active_assignments
from dispatch.clock import response_clock
from dispatch.intake import get_incident
from dispatch.log import append_log
from dispatch.models import Assignment, Incident
from dispatch.taxonomy import CALLBACK_OUTCOMES, DISPOSITIONS
from tracking.models import Unit
from tracking.unit_status import STEP_UNIT_STATUS

log = logging.getLogger("siaga.dispatch.progress")

ORDER = {"sent": 0, "acknowledged": 1, "en_route": 2, "on_scene": 3, "cleared": 4}
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


@dataclass(frozen=True)
class ArrivalEvidence:
    """What the unit's latest fix said when a crew or operator reported arrival."""

    distance_m: float | None
    fix_age_s: float | None
    verified: bool


_EVIDENCE_SQL = text(
    """
    SELECT ST_Distance(CAST(p.geom AS geography), CAST(i.geom AS geography)) AS distance_m,
           p.fixed_at, p.accuracy_m
    FROM assignments a
    JOIN incidents i ON i.id = a.incident_id
    JOIN unit_positions_latest p ON p.unit_id = a.unit_id
    WHERE a.id = :assignment_id
    """
)


def arrival_evidence(
    session: Session,
    *,
    assignment: Assignment,
    radius_m: float,
    stale_s: float,
    max_accuracy_m: float,
    at: datetime | None = None,
) -> ArrivalEvidence:
    """Verified only when a fresh, accurate fix puts the unit within radius_m of the scene
    (the same radius and accuracy as GPS arrival detection)."""
    row = session.execute(_EVIDENCE_SQL, {"assignment_id": assignment.id}).mappings().first()
    if row is None:
        return ArrivalEvidence(None, None, False)
    fix_age_s = max(0.0, ((at or datetime.now(UTC)) - row["fixed_at"]).total_seconds())
    accurate = row["accuracy_m"] is None or row["accuracy_m"] <= max_accuracy_m
    verified = row["distance_m"] <= radius_m and fix_age_s <= stale_s and accurate
    return ArrivalEvidence(round(row["distance_m"], 1), round(fix_age_s, 1), verified)


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
    evidence: ArrivalEvidence | None = None,
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
    if status == "on_scene":
        _record_evidence(assignment, incident, source, evidence)
    call_sign = session.scalar(select(Unit.call_sign).where(Unit.id == assignment.unit_id))
    if move_unit and STEP_UNIT_STATUS[status]:
        from tracking.service import set_unit_status

        try:
            set_unit_status(
                session,
                unit_id=assignment.unit_id,
                status=STEP_UNIT_STATUS[status],
                actor=actor,
                reason=f"laporan #{incident.id}",
            )
        except Conflict:
            if strict:
                raise
            log.warning("unit %s status not moved to %s", call_sign, STEP_UNIT_STATUS[status])
    detail = {"assignment_id": assignment.id, "source": source}
    message = MESSAGES[status].format(cs=call_sign)
    if status == "on_scene":
        message += f" ({source}{_evidence_text(assignment)}); "
        message += response_clock(incident, now=at)["message"]
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


def _record_evidence(
    assignment: Assignment, incident: Incident, source: str, evidence: ArrivalEvidence | None
) -> None:
    """GPS arrival is verified by construction; any other report only if its fix agrees."""
    if source == "gps":
        assignment.arrival_verified = True
    else:
        evidence = evidence or ArrivalEvidence(None, None, False)
        assignment.arrival_distance_m = evidence.distance_m
        assignment.arrival_fix_age_s = evidence.fix_age_s
        assignment.arrival_verified = evidence.verified
    if incident.on_scene_at == assignment.on_scene_at and incident.arrival_verified is None:
        incident.arrival_verified = assignment.arrival_verified


def _evidence_text(assignment: Assignment) -> str:
    if assignment.arrival_verified:
        return (
            ", terverifikasi GPS"
            if assignment.arrival_distance_m is None
            else (f", GPS {assignment.arrival_distance_m:.0f} m dari lokasi")
        )
    if assignment.arrival_distance_m is None:
        return ", belum terverifikasi: tanpa posisi GPS"
    return (
        f", belum terverifikasi: GPS {assignment.arrival_distance_m:.0f} m dari lokasi, "
        f"posisi {assignment.arrival_fix_age_s:.0f} dtk lalu"
    )


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
