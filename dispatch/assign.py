"""Assignment: one transaction per request; a unit is never on two incidents at once.

The incident row and then each unit row (in id order, so two requests cannot deadlock) are
locked FOR UPDATE; a second operator's request waits, then sees the first one's assignment and
gets a Conflict naming that incident. The partial unique index uq_assignments_active_unit is
the last line of defence should any code path skip the lock.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, InvalidInput, ServiceUnavailable
from dispatch.intake import get_incident, incident_lonlat
from dispatch.log import append_log
from dispatch.models import Assignment, Incident
from tracking.models import Unit
from tracking.unit_status import DISPATCHABLE

log = logging.getLogger("siaga.dispatch.assign")

OPEN_FOR_DISPATCH = (
    "received", "offered", "accepted", "escalated", "dispatched", "on_scene", "cleared"
)  # fmt: skip


def active_assignments(session: Session, *, incident_id: int) -> list[Assignment]:
    """The incident's assignments that still hold their unit."""
    query = select(Assignment).where(
        Assignment.incident_id == incident_id, Assignment.released_at.is_(None)
    )
    return list(session.scalars(query.order_by(Assignment.id)))


def list_assignments(session: Session, *, incident_id: int) -> list[tuple[Assignment, str]]:
    """Every assignment of an incident with the unit's call sign, oldest first."""
    query = (
        select(Assignment, Unit.call_sign)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.incident_id == incident_id)
        .order_by(Assignment.id)
    )
    return [(a, call_sign) for a, call_sign in session.execute(query)]


def check_dispatchable(incident: Incident) -> None:
    """Only a valid, open incident takes units."""
    if incident.validity != "valid":
        raise Conflict(f"laporan {incident.id} belum divalidasi sebagai valid", field="incident_id")
    if incident.status not in OPEN_FOR_DISPATCH:
        raise Conflict(
            f"laporan {incident.id} berstatus {incident.status}; tidak dapat menugaskan unit",
            field="incident_id",
        )


def _lock_free_unit(
    session: Session, *, unit_id: int, incident_id: int, jurisdiction_ids: Collection[int] | None
) -> Unit:
    unit = session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise InvalidInput(f"unit {unit_id} tidak ditemukan", field="unit_ids")
    _check_unit_scope(unit, jurisdiction_ids)  # before busy: say nothing of others' incidents
    busy = session.scalar(
        select(Assignment).where(Assignment.unit_id == unit_id, Assignment.released_at.is_(None))
    )
    if busy is not None:
        where = "laporan ini" if busy.incident_id == incident_id else f"laporan #{busy.incident_id}"
        raise Conflict(f"unit {unit.call_sign} sudah ditugaskan ke {where}", field="unit_ids")
    if unit.status not in DISPATCHABLE:
        raise Conflict(f"unit {unit.call_sign} berstatus {unit.status}", field="unit_ids")
    return unit


def unit_in_scope(unit: Unit, jurisdiction_ids: Collection[int] | None) -> bool:
    """Whether the unit is homed within the caller's jurisdictions (None: everywhere)."""
    return jurisdiction_ids is None or unit.home_jurisdiction_id in jurisdiction_ids


def _check_unit_scope(unit: Unit, jurisdiction_ids: Collection[int] | None) -> None:
    if not unit_in_scope(unit, jurisdiction_ids):
        raise Forbidden(
            f"unit {unit.call_sign} di luar wilayah Anda; ajukan permintaan bantuan "
            "ke Polres unit tersebut",
            field="unit_ids",
        )


def assign_units(
    session: Session,
    *,
    incident_id: int,
    unit_ids: list[int],
    actor: str,
    etas: dict[int, float] | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[tuple[Assignment, Unit]]:
    """Assign units to an incident (Conflict naming the other incident if one is taken).

    jurisdiction_ids scopes both the incident and the units: a unit homed elsewhere is
    Forbidden here and comes only through an approved bantuan request (dispatch/bantuan.py).
    """
    from tracking.service import set_unit_status

    now = now or datetime.now(UTC)
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    check_dispatchable(incident)
    created = []
    for unit_id in sorted(set(unit_ids)):
        unit = _lock_free_unit(
            session, unit_id=unit_id, incident_id=incident.id, jurisdiction_ids=jurisdiction_ids
        )
        set_unit_status(
            session,
            unit_id=unit.id,
            status="dispatched",
            actor=actor,
            reason=f"laporan #{incident.id}",
        )
        assignment = Assignment(
            incident_id=incident.id,
            unit_id=unit.id,
            job_id=f"{incident.id}-{uuid.uuid4().hex[:10]}",
            status="sent",
            eta_s=(etas or {}).get(unit.id),
            assigned_by=actor,
            assigned_at=now,
            last_sent_at=now,
            send_count=1,
        )
        session.add(assignment)
        created.append((assignment, unit))
        append_log(
            session,
            incident_id=incident.id,
            actor=actor,
            action="assigned",
            at=now,
            message=f"Unit {unit.call_sign} ditugaskan; {_delivery(unit.tracker_kind)}",
            detail={"unit_id": unit.id, "job_id": assignment.job_id},
        )
    _flush_or_conflict(session)
    if incident.dispatched_at is None:
        incident.dispatched_at = now
    if incident.status == "cleared":  # the situation flared up again after the units left
        incident.cleared_at = None
    if incident.status in ("received", "offered", "accepted", "escalated", "cleared"):
        incident.status = "dispatched"
    return created


def _delivery(tracker_kind: str) -> str:
    from tracking.trackers import acknowledges_jobs

    if acknowledges_jobs(tracker_kind):
        return "tugas dikirim"
    return "tugas tampil di halaman unit (pelacaknya tidak bisa mengonfirmasi)"


def _flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        # Only reachable if a writer bypassed the row locks; the index still refuses it.
        raise Conflict("unit sudah ditugaskan ke laporan lain", field="unit_ids") from exc


def job_message(incident: Incident, assignment: Assignment, *, sent_at: datetime) -> dict:
    """The job JSON the unit's tracker receives."""
    lon, lat = incident_lonlat(incident)
    return {
        "job_id": assignment.job_id,
        "incident_id": incident.id,
        "lon": lon,
        "lat": lat,
        "category": incident.category,
        "priority": incident.priority,
        "description": incident.description,
        "sent_at": sent_at.isoformat(),
    }


def send_job(
    link,  # noqa: ANN001
    *,
    topic_root: str,
    incident: Incident,
    assignment: Assignment,
    call_sign: str,
    now: datetime | None = None,
    tracker_kind: str = "siaga",
) -> bool:
    """Publish one job at QoS 1 (after the assignment is committed); False if the broker is down.

    A job that could not be sent is re-sent by the worker after the ack timeout. A unit whose
    tracker cannot acknowledge (OwnTracks, hardware) gets nothing on MQTT: its crew sees and
    acknowledges the job on the phone page (/unit), which reads the assignment itself.
    """
    from tracking.jobs import publish_job
    from tracking.trackers import acknowledges_jobs

    if not acknowledges_jobs(tracker_kind):
        return True

    job = job_message(incident, assignment, sent_at=now or datetime.now(UTC))
    try:
        publish_job(link, topic_root=topic_root, call_sign=call_sign, job=job)
    except ServiceUnavailable as exc:
        log.warning("job %s to %s not sent: %s", assignment.job_id, call_sign, exc.message)
        return False
    return True


def send_jobs(
    link,  # noqa: ANN001
    session: Session,
    *,
    topic_root: str,
    incident_id: int,
    created: list[tuple[Assignment, Unit]],
    owntracks_root: str = "owntracks",
    crew_page_url: str = "",
) -> None:
    """Publish the jobs of assignments just committed for one incident; an OwnTracks unit's
    app gets a notice with a link to the crew page (tracking.jobs.notify_owntracks_job)."""
    incident = get_incident(session, incident_id=incident_id)
    for assignment, unit in created:
        send_job(
            link,
            topic_root=topic_root,
            incident=incident,
            assignment=assignment,
            call_sign=unit.call_sign,
            now=assignment.last_sent_at,
            tracker_kind=unit.tracker_kind,
        )
        if unit.tracker_kind == "owntracks":
            from tracking.jobs import notify_owntracks_job

            notify_owntracks_job(link, session, owntracks_root=owntracks_root,
                                 crew_page_url=crew_page_url, unit_id=unit.id,
                                 call_sign=unit.call_sign, notice=job_notice(incident))  # fmt: skip


def job_notice(incident: Incident) -> str:
    """One line for a phone's notification: number, category, priority, address."""
    from dispatch.taxonomy import CATEGORIES, PRIORITIES

    category = CATEGORIES.get(incident.category, incident.category)
    priority = PRIORITIES.get(incident.priority, str(incident.priority))
    where = f" · {incident.address}" if incident.address else ""
    return f"Siaga 110: tugas baru #{incident.id} · {category} ({priority}){where}"
