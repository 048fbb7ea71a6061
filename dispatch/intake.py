"""Intake: create incidents, caller history and prank flags, duplicate suggestions, merge."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from geoalchemy2 import Geography
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from core.errors import Conflict, InvalidInput, NotFound
from dispatch.log import append_log
from dispatch.models import Incident
from dispatch.pranks import PRANK_FLAG_SCORE, PRANK_HALF_LIFE_DAYS, prank_standing, standing_message
from dispatch.schemas import IncidentCreate
from dispatch.taxonomy import CATEGORIES, VALIDITY_LABELS

# An open incident of the same category this close in space and time may be the same event.
DUPLICATE_RADIUS_M = 300.0
DUPLICATE_WINDOW_S = 30 * 60


def normalize_phone(raw: str) -> str:
    """Indonesian numbers to one form: digits only, +62 / 62 -> 0 (0812..., 0542...)."""
    digits = re.sub(r"[^\d]", "", raw)
    if raw.strip().startswith("+62") or (digits.startswith("62") and len(digits) > 9):
        digits = "0" + digits[2:]
    if not 3 <= len(digits) <= 15:
        raise InvalidInput("nomor telepon harus 3-15 angka", field="caller_phone")
    return digits


def create_incident(
    session: Session,
    *,
    data: IncidentCreate,
    actor: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """Create an incident, resolving its Polda/Polres/Polsek and target at creation.

    T0 comes from the call record when there is one (dispatch/calls.py bounds it).
    """
    from dispatch.calls import incident_t0
    from jurisdictions.service import lookup_point

    now = now or datetime.now(UTC)
    t0, t0_source, call = incident_t0(
        session,
        call_id=data.call_id,
        given=data.call_received_at,
        jurisdiction_ids=jurisdiction_ids,
        now=now,
    )
    from places.reverse import describe_location

    found = lookup_point(session, lon=data.lon, lat=data.lat)
    described = describe_location(session, lon=data.lon, lat=data.lat)
    incident = Incident(
        caller_name=data.caller_name.strip(),
        caller_phone=normalize_phone(data.caller_phone),
        channel=data.channel,
        category=data.category,
        priority=data.priority,
        description=data.description,
        address=data.address,
        location_description=described,
        geom=from_shape(Point(data.lon, data.lat), srid=4326),
        polda_id=found.polda.id if found.polda else None,
        polres_id=found.polres.id if found.polres else None,
        polsek_id=found.polsek.id if found.polsek else None,
        location_match=found.match,
        response_target_s=found.response_target_s,
        timezone=found.timezone,
        validity="pending",
        status="received",
        handler_level="polda",
        call_received_at=t0,
        call_id=call.id if call else None,
        t0_source=t0_source,
        created_at=now,
        created_by=actor,
    )
    session.add(incident)
    session.flush()
    where = found.polsek or found.polres or found.polda
    place = f"{where.name}" if where else "di luar wilayah"
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="created",
        at=now,
        message=f"Laporan {CATEGORIES[data.category]} diterima ({place}): {described}",
        detail={"match": found.match, "distance_m": found.distance_m},
    )
    return incident


def incident_lonlat(incident: Incident) -> tuple[float, float]:
    """The incident's (lon, lat)."""
    point = to_shape(incident.geom)
    return point.x, point.y


def in_scope(incident: Incident, jurisdiction_ids: Collection[int] | None) -> bool:
    """Whether the caller's jurisdictions include this incident's Polda, Polres or Polsek."""
    if jurisdiction_ids is None:
        return True
    return bool({incident.polda_id, incident.polres_id, incident.polsek_id} & set(jurisdiction_ids))


def get_incident(
    session: Session,
    *,
    incident_id: int,
    jurisdiction_ids: Collection[int] | None = None,
    for_update: bool = False,
) -> Incident:
    """One incident in the caller's scope (NotFound otherwise)."""
    incident = session.get(Incident, incident_id, with_for_update=for_update)
    if incident is None or not in_scope(incident, jurisdiction_ids):
        raise NotFound(f"laporan {incident_id} tidak ditemukan", field="incident_id")
    return incident


def caller_history(
    session: Session,
    *,
    phone: str,
    exclude_id: int | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Earlier incidents from this number, counts by validity, and its prank standing."""
    now = now or datetime.now(UTC)
    phone = normalize_phone(phone)
    rows = session.scalars(
        select(Incident)
        .where(Incident.caller_phone == phone, Incident.id != (exclude_id or 0))
        .order_by(Incident.created_at.desc())
    ).all()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.validity] = counts.get(row.validity, 0) + 1
    standing = prank_standing(session, phone=phone, now=now)
    recent = [_history_row(r) for r in rows if in_scope(r, jurisdiction_ids)][:10]
    flag = standing.open_flag
    return {
        "phone": phone,
        "total": len(rows),
        "by_validity": counts,
        "prank_count": standing.prank_count,
        "prank_score": standing.score,
        "prank_last_at": standing.last_at,
        "prank_flag_score": PRANK_FLAG_SCORE,
        "prank_half_life_days": PRANK_HALF_LIFE_DAYS,
        "flagged": standing.flagged,
        "flag": None if flag is None else {"id": flag.id, "raised_at": flag.raised_at},
        "message": standing_message(standing, len(rows), now),
        "recent": recent,
    }


def _history_row(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "created_at": incident.created_at,
        "timezone": incident.timezone,
        "category": incident.category,
        "validity": incident.validity,
        "validity_label": VALIDITY_LABELS[incident.validity],
        "status": incident.status,
    }


@dataclass(frozen=True)
class DuplicateCandidate:
    """An open incident that may describe the same event, and why."""

    incident: Incident
    distance_m: float
    reasons: list[str]


def find_duplicates(
    session: Session, *, incident: Incident, now: datetime | None = None
) -> list[DuplicateCandidate]:
    """Open incidents near in space and time with the same category, or from the same phone."""
    since = (now or datetime.now(UTC)) - timedelta(seconds=DUPLICATE_WINDOW_S)
    # The stored point, read in SQL: a loaded WKB value bound as geography is parsed as text.
    stored = aliased(Incident)
    here = select(cast(stored.geom, Geography)).where(stored.id == incident.id).scalar_subquery()
    distance = func.ST_Distance(cast(Incident.geom, Geography), here)
    near_same = (Incident.category == incident.category) & func.ST_DWithin(
        cast(Incident.geom, Geography), here, DUPLICATE_RADIUS_M
    )
    rows = session.execute(
        select(Incident, distance.label("distance_m"))
        .where(Incident.id != incident.id, Incident.closed_at.is_(None))
        .where(Incident.created_at >= since)
        .where(or_(near_same, Incident.caller_phone == incident.caller_phone))
        .order_by(distance)
        .limit(10)
    ).all()
    return [_duplicate(incident, other, float(d)) for other, d in rows]


def _duplicate(incident: Incident, other: Incident, distance_m: float) -> DuplicateCandidate:
    reasons = []
    if other.category == incident.category and distance_m <= DUPLICATE_RADIUS_M:
        reasons.append(f"kategori sama, berjarak {distance_m:.0f} m")
    if other.caller_phone == incident.caller_phone:
        reasons.append("nomor pelapor sama")
    minutes = (incident.created_at - other.created_at).total_seconds() / 60
    when = "sebelumnya" if minutes >= 0 else "sesudahnya"
    reasons.append(f"dibuat {abs(minutes):.0f} menit {when}")
    return DuplicateCandidate(other, distance_m, reasons)


def _lock_pair(
    session: Session, *, incident_id: int, into_id: int, jurisdiction_ids: Collection[int] | None
) -> tuple[Incident, Incident]:
    """Both incidents locked FOR UPDATE in id order, so two opposite merges cannot interleave."""
    locked = {}
    for number in sorted((incident_id, into_id)):
        locked[number] = get_incident(
            session, incident_id=number, jurisdiction_ids=jurisdiction_ids, for_update=True
        )
        session.refresh(locked[number])  # the row as committed when the lock was granted
    return locked[incident_id], locked[into_id]


def _refuse_cycle(target: Incident) -> None:
    """Merge only into an original: a duplicate target could lead back round to the incident.

    Checked with both rows locked, so an opposite merge committed meanwhile is seen here.
    """
    if target.validity == "duplicate" or target.duplicate_of_id is not None:
        raise Conflict(f"laporan {target.id} sendiri adalah duplikat", field="into_id")


def merge_incident(
    session: Session,
    *,
    incident_id: int,
    into_id: int,
    actor: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Incident:
    """Mark an incident as a duplicate of another open one and close it; both logs say so."""
    now = now or datetime.now(UTC)
    if incident_id == into_id:
        raise InvalidInput("laporan tidak dapat digabung dengan dirinya sendiri", field="into_id")
    incident, target = _lock_pair(
        session, incident_id=incident_id, into_id=into_id, jurisdiction_ids=jurisdiction_ids
    )
    if incident.closed_at is not None:
        raise Conflict(f"laporan {incident_id} sudah ditutup", field="incident_id")
    _refuse_cycle(target)
    from dispatch.assign import active_assignments

    if active_assignments(session, incident_id=incident_id):
        raise Conflict(f"laporan {incident_id} masih memiliki unit bertugas", field="incident_id")
    incident.validity, incident.duplicate_of_id = "duplicate", into_id
    incident.validated_at = incident.validated_at or now
    incident.status, incident.closed_at, incident.disposition = "closed", now, "duplikat"
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="merged",
        at=now,
        message=f"Digabung sebagai duplikat laporan #{into_id}",
        detail={"into_id": into_id},
    )
    append_log(
        session,
        incident_id=into_id,
        actor=actor,
        action="merged_in",
        at=now,
        message=f"Laporan #{incident.id} digabung ke laporan ini",
        detail={"from_id": incident.id},
    )
    return incident
