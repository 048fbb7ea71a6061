"""Validation and the Polres -> Polda escalation state machine.

A valid incident is offered to its Polres operator (status offered, accept_deadline set). The
Polres accepts before the deadline (accepted, handler polres) or the worker escalates it back
to the Polda operator (escalated, handler polda). Invalid and prank calls are closed at once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from dispatch.intake import get_incident, merge_incident
from dispatch.log import append_log
from dispatch.models import Incident
from dispatch.pranks import record_prank
from dispatch.taxonomy import CATEGORIES, PRIORITIES, VALIDITY_LABELS

CLOSING_VALIDITY = {"invalid": "tidak_valid", "prank": "iseng"}


def validate_incident(
    session: Session,
    *,
    incident_id: int,
    validity: str,
    actor: str,
    accept_timeout_s: float,
    category: str | None = None,
    priority: int | None = None,
    duplicate_of_id: int | None = None,
    note: str = "",
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """Record validity and classification; valid -> offered to Polres, invalid/prank -> closed."""
    now = now or datetime.now(UTC)
    if validity == "duplicate":
        if duplicate_of_id is None:
            raise InvalidInput("sebutkan laporan asli", field="duplicate_of_id")
        return merge_incident(
            session,
            incident_id=incident_id,
            into_id=duplicate_of_id,
            actor=actor,
            jurisdiction_ids=jurisdiction_ids,
            now=now,
        )
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    if incident.closed_at is not None:
        raise Conflict(f"laporan {incident_id} sudah ditutup", field="incident_id")
    if incident.validity not in ("pending", validity) and incident.status != "received":
        raise Conflict("validitas tidak dapat diubah setelah laporan diproses", field="validity")
    _classify(session, incident, category=category, priority=priority, actor=actor, now=now)
    incident.validity, incident.validated_at = validity, incident.validated_at or now
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="validated",
        at=now,
        message=f"Validasi: {VALIDITY_LABELS[validity]}" + (f" ({note})" if note else ""),
        detail={"validity": validity},
    )
    if validity == "prank":
        record_prank(session, incident=incident, actor=actor, now=now)
    if validity in CLOSING_VALIDITY:
        incident.status, incident.closed_at = "closed", now
        incident.disposition = CLOSING_VALIDITY[validity]
        append_log(
            session,
            incident_id=incident.id,
            actor=actor,
            action="closed",
            at=now,
            message="Laporan ditutup tanpa pengerahan unit",
        )
    elif incident.status == "received":
        offer_to_polres(session, incident=incident, accept_timeout_s=accept_timeout_s, now=now)
    return incident


def _classify(
    session: Session,
    incident: Incident,
    *,
    category: str | None,
    priority: int | None,
    actor: str,
    now: datetime,
) -> None:
    if category and category != incident.category:
        append_log(
            session,
            incident_id=incident.id,
            actor=actor,
            action="classified",
            at=now,
            message=f"Kategori diubah: {CATEGORIES[incident.category]} -> {CATEGORIES[category]}",
            detail={"from": incident.category, "to": category},
        )
        incident.category = category
    if priority and priority != incident.priority:
        append_log(
            session,
            incident_id=incident.id,
            actor=actor,
            action="prioritised",
            at=now,
            message=f"Prioritas: {PRIORITIES[incident.priority]} -> {PRIORITIES[priority]}",
            detail={"from": incident.priority, "to": priority},
        )
        incident.priority = priority


def offer_to_polres(
    session: Session, *, incident: Incident, accept_timeout_s: float, now: datetime
) -> None:
    """Offer the incident to its Polres with a deadline; without a Polres the Polda keeps it."""
    if incident.polres_id is None:
        incident.status, incident.handler_level = "escalated", "polda"
        incident.escalated_at = now
        append_log(
            session,
            incident_id=incident.id,
            actor="system",
            action="escalated",
            at=now,
            message="Tidak ada Polres untuk lokasi ini; ditangani operator Polda",
        )
        return
    incident.status, incident.offered_at = "offered", now
    incident.accept_deadline = now + timedelta(seconds=accept_timeout_s)
    append_log(
        session,
        incident_id=incident.id,
        actor="system",
        action="offered",
        at=now,
        message=f"Diteruskan ke operator Polres; batas terima {accept_timeout_s:.0f} detik",
        detail={"polres_id": incident.polres_id, "deadline": incident.accept_deadline.isoformat()},
    )


def accept_incident(
    session: Session,
    *,
    incident_id: int,
    actor: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """The Polres operator takes the incident (only while it is offered and before the deadline)."""
    now = now or datetime.now(UTC)
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    # Still the Polres's to take: offered and neither accepted nor escalated, even if the Polda
    # operator already sent a unit meanwhile.
    pending = incident.offered_at and not (incident.accepted_at or incident.escalated_at)
    if not pending or incident.closed_at is not None:
        raise Conflict(
            f"laporan {incident_id} tidak sedang ditawarkan ke Polres (status {incident.status})",
            field="incident_id",
        )
    if incident.accept_deadline and now > incident.accept_deadline:
        raise Conflict(
            "batas waktu penerimaan sudah lewat; laporan kembali ke Polda", field="incident_id"
        )
    incident.handler_level, incident.accepted_at = "polres", now
    if incident.status == "offered":
        incident.status = "accepted"
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="accepted",
        at=now,
        message="Diterima operator Polres",
    )
    return incident


def escalate_overdue(session: Session, *, now: datetime | None = None) -> list[int]:
    """Give every offer past its deadline back to the Polda operator; returns their ids."""
    now = now or datetime.now(UTC)
    overdue = session.scalars(
        select(Incident)
        .where(Incident.accept_deadline < now, Incident.closed_at.is_(None))
        .where(Incident.accepted_at.is_(None), Incident.escalated_at.is_(None))
        .with_for_update(skip_locked=True)
    ).all()
    for incident in overdue:
        waited_s = (now - incident.offered_at).total_seconds() if incident.offered_at else 0
        incident.handler_level, incident.escalated_at = "polda", now
        if incident.status == "offered":  # a unit may already be on its way (sent by Polda)
            incident.status = "escalated"
        append_log(
            session,
            incident_id=incident.id,
            actor="system",
            action="escalated",
            at=now,
            message=f"Polres tidak menerima dalam {waited_s:.0f} detik; "
            "laporan dikembalikan ke operator Polda",
            detail={"polres_id": incident.polres_id},
        )
    return [i.id for i in overdue]
