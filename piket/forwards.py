"""Forwarding an incident to the fungsi terkait and following each forward to its result.

Each forward goes to the desk of one function in the incident's Polres (its Polda when it
has none). The desk acknowledges it and reports back a result; a forward not acknowledged
by its deadline is escalated, as an offer to a Polres is, so the Perwira Piket and the
Polda's desk see it overdue. Every step is written to the incident's log.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, NotFound
from dispatch.intake import get_incident
from dispatch.log import append_log
from dispatch.models import Incident
from piket.functions import FUNCTIONS, function_label
from piket.models import Forward

# A crime goes to Reskrim at once (to the scene, TKP): the forward is urgent.
CRIME_CATEGORIES = frozenset(
    {"pencurian", "penganiayaan", "kdrt", "ancaman", "penghinaan", "orang_hilang"}
)
SUGGESTED: dict[str, tuple[str, ...]] = {
    **{category: ("reskrim",) for category in CRIME_CATEGORIES},
    "narkoba": ("narkoba",),
    "kecelakaan_lalu_lintas": ("lantas", "psc119"),
    "kebakaran": ("damkar",),
    "bencana": ("bpbd", "samapta"),
    "kerusuhan": ("samapta", "intelkam"),
}


def suggested_functions(category: str) -> tuple[str, ...]:
    """The functions an incident of this category is usually forwarded to."""
    return SUGGESTED.get(category, ())


def forward_incident(
    session: Session,
    *,
    incident_id: int,
    functions: list[str],
    note: str,
    actor: str,
    ack_timeout_s: float,
    urgent_ack_timeout_s: float,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[Forward]:
    """Forward to each function not yet forwarded to; Conflict if all of them already were."""
    now = now or datetime.now(UTC)
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids, for_update=True
    )
    if incident.validity in ("invalid", "prank", "duplicate"):
        raise Conflict(f"laporan {incident_id} tidak valid; tidak diteruskan", field="incident_id")
    done = set(
        session.scalars(select(Forward.function_code).where(Forward.incident_id == incident.id))
    )
    fresh = [code for code in functions if code not in done]
    if not fresh:
        raise Conflict("laporan sudah diteruskan ke fungsi tersebut", field="functions")
    return [
        _forward(session, incident, code, note, actor, now, ack_timeout_s, urgent_ack_timeout_s)
        for code in fresh
    ]


def _forward(
    session: Session,
    incident: Incident,
    code: str,
    note: str,
    actor: str,
    now: datetime,
    ack_timeout_s: float,
    urgent_ack_timeout_s: float,
) -> Forward:
    urgent = code == "reskrim" and incident.category in CRIME_CATEGORIES
    timeout_s = urgent_ack_timeout_s if urgent else ack_timeout_s
    desk = incident.polres_id or incident.polda_id
    if desk is None:
        raise Conflict("laporan di luar wilayah; tidak ada meja fungsi", field="incident_id")
    forward = Forward(
        incident_id=incident.id,
        function_code=code,
        jurisdiction_id=desk,
        status="sent",
        urgent=urgent,
        note=note.strip(),
        forwarded_by=actor,
        forwarded_at=now,
        ack_deadline=now + timedelta(seconds=timeout_s),
    )
    session.add(forward)
    session.flush()
    where = "di luar Polri" if FUNCTIONS[code].outside_polri else "fungsi terkait"
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="forwarded",
        at=now,
        message=f"Diteruskan ke {function_label(code)} ({where})"
        + (" - SEGERA ke TKP" if urgent else "")
        + (f": {note}" if note else "")
        + f"; batas terima {timeout_s / 60:.0f} menit",
        detail={"forward_id": forward.id, "function": code, "urgent": urgent},
    )
    return forward


def get_forward(
    session: Session,
    *,
    forward_id: int,
    jurisdiction_ids: Collection[int] | None = None,
    function_code: str | None = None,
    for_update: bool = False,
) -> Forward:
    """One forward the caller may see: in scope, and of the desk's own function if a desk."""
    forward = session.get(Forward, forward_id, with_for_update=for_update)
    visible = forward is not None and (
        jurisdiction_ids is None or forward.jurisdiction_id in jurisdiction_ids
    )
    if not visible or (function_code is not None and forward.function_code != function_code):
        raise NotFound(f"penerusan {forward_id} tidak ada", field="forward_id")
    return forward


def acknowledge_forward(
    session: Session, *, forward: Forward, actor: str, now: datetime | None = None
) -> Forward:
    """The desk takes the forward (late is still taken, and logged as late)."""
    now = now or datetime.now(UTC)
    if forward.status != "sent":
        raise Conflict(f"penerusan {forward.id} sudah diterima", field="forward_id")
    forward.status, forward.acknowledged_at, forward.acknowledged_by = "acknowledged", now, actor
    late = now > forward.ack_deadline
    append_log(
        session,
        incident_id=forward.incident_id,
        actor=actor,
        action="forward_acknowledged",
        at=now,
        message=f"{function_label(forward.function_code)} menerima penerusan"
        + (" (terlambat)" if late else ""),
        detail={"forward_id": forward.id, "late": late},
    )
    return forward


def report_forward_result(
    session: Session, *, forward: Forward, result: str, actor: str, now: datetime | None = None
) -> Forward:
    """The desk reports back what it did; the forward is done."""
    now = now or datetime.now(UTC)
    if forward.status == "sent":
        raise Conflict("terima penerusan dulu sebelum melapor hasil", field="forward_id")
    if forward.status == "done":
        raise Conflict(f"hasil penerusan {forward.id} sudah dilaporkan", field="forward_id")
    forward.status, forward.result_at, forward.result_by = "done", now, actor
    forward.result_note = result.strip()
    append_log(
        session,
        incident_id=forward.incident_id,
        actor=actor,
        action="forward_result",
        at=now,
        message=f"Hasil {function_label(forward.function_code)}: {forward.result_note}",
        detail={"forward_id": forward.id},
    )
    return forward


def escalate_overdue_forwards(session: Session, *, now: datetime | None = None) -> list[int]:
    """Flag every forward past its acknowledgement deadline; returns their ids."""
    now = now or datetime.now(UTC)
    overdue = session.scalars(
        select(Forward)
        .where(
            Forward.ack_deadline < now,
            Forward.acknowledged_at.is_(None),
            Forward.escalated_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for forward in overdue:
        forward.escalated_at = now
        waited_min = (now - forward.forwarded_at).total_seconds() / 60
        append_log(
            session,
            incident_id=forward.incident_id,
            actor="system",
            action="forward_escalated",
            at=now,
            message=f"{function_label(forward.function_code)} belum menerima penerusan "
            f"dalam {waited_min:.0f} menit; dilaporkan ke Perwira Piket dan Polda",
            detail={"forward_id": forward.id},
        )
    return [f.id for f in overdue]


def list_forwards(
    session: Session,
    *,
    jurisdiction_ids: Collection[int] | None,
    function_code: str | None = None,
    incident_id: int | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[Forward]:
    """Forwards in scope (a desk: its own function only), unacknowledged and urgent first."""
    query = select(Forward)
    if jurisdiction_ids is not None:
        query = query.where(Forward.jurisdiction_id.in_(jurisdiction_ids))
    if function_code is not None:
        query = query.where(Forward.function_code == function_code)
    if incident_id is not None:
        query = query.where(Forward.incident_id == incident_id)
    if open_only:
        query = query.where(Forward.status != "done")
    order = (Forward.status != "sent", Forward.urgent.desc(), Forward.forwarded_at.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def forward_view(forward: Forward, incident: Incident | None, *, now: datetime) -> dict[str, Any]:
    """A forward as the desk and the Perwira see it (with its incident's summary)."""
    overdue = forward.acknowledged_at is None and now > forward.ack_deadline
    view = {c.key: getattr(forward, c.key) for c in Forward.__table__.columns}
    view.update(function_label=function_label(forward.function_code), overdue=overdue)
    if FUNCTIONS[forward.function_code].outside_polri:  # handed over as a NENA EIDO document
        view["eido_url"] = f"/api/incidents/{forward.incident_id}/eido"
    if incident is not None:
        view["incident"] = {
            "id": incident.id,
            "category": incident.category,
            "priority": incident.priority,
            "address": incident.address,
            "description": incident.description,
            "status": incident.status,
            "call_received_at": incident.call_received_at,
        }
    return view


def check_desk(role: str | None, function_code: str | None) -> str | None:
    """The function a desk caller is limited to (None: not a desk); Forbidden if it has none."""
    if role != "desk":
        return None
    if not function_code:
        raise Forbidden("pengguna meja fungsi tanpa fungsi", field="function_code")
    return function_code


def incidents_by_id(session: Session, ids: Collection[int]) -> dict[int, Incident]:
    """Incidents by id (for views)."""
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(ids)))}
