"""Unit registry: create, read, update, delete, status transitions, link state, positions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import unique_or
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from jurisdictions.models import Jurisdiction
from tracking.models import (
    KINDS,
    STATUSES,
    Unit,
    UnitPosition,
    UnitPositionLatest,
    UnitStatusChange,
)
from tracking.unit_status import DISPATCHABLE, TRANSITIONS


@dataclass(frozen=True)
class Position:
    """A fix as read back from the database (lon, lat in WGS 84)."""

    lon: float
    lat: float
    fixed_at: datetime
    received_at: datetime
    speed_mps: float | None
    heading_deg: float | None
    accuracy_m: float | None


@dataclass(frozen=True)
class UnitView:
    """A unit with its latest fix; fix freshness is kept apart from link liveness."""

    unit: Unit
    position: Position | None
    fix_age_s: float | None
    fix_stale: bool

    @property
    def available(self) -> bool:
        """Available for recommendation: a dispatchable status and a fresh fix."""
        return self.unit.status in DISPATCHABLE and not self.fix_stale


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"jenis unit harus salah satu dari {', '.join(KINDS)}", field="kind")


def _check_jurisdiction(
    session: Session, jurisdiction_id: int | None, scope_ids: Collection[int] | None
) -> None:
    """The home jurisdiction exists and lies within the caller's scope (None: everywhere)."""
    if jurisdiction_id is not None and session.get(Jurisdiction, jurisdiction_id) is None:
        raise InvalidInput(
            f"wilayah {jurisdiction_id} tidak ditemukan", field="home_jurisdiction_id"
        )
    if scope_ids is not None and jurisdiction_id not in scope_ids:
        raise Forbidden("wilayah asal di luar wilayah Anda", field="home_jurisdiction_id")


def create_unit(
    session: Session,
    *,
    call_sign: str,
    kind: str,
    home_jurisdiction_id: int | None = None,
    crew: list[Any] | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    tracker_kind: str = "siaga",
) -> Unit:
    """Register a unit homed within jurisdiction_ids; Conflict if the call sign is taken."""
    from tracking.trackers import check_tracker_kind

    _check_kind(kind)
    check_tracker_kind(tracker_kind)
    _check_jurisdiction(session, home_jurisdiction_id, jurisdiction_ids)
    if session.scalar(select(Unit.id).where(Unit.call_sign == call_sign)) is not None:
        raise Conflict(f"kode panggil {call_sign} sudah terdaftar", field="call_sign")
    unit = Unit(
        call_sign=call_sign,
        kind=kind,
        home_jurisdiction_id=home_jurisdiction_id,
        crew=crew or [],
        status="available",
        link_connected=False,
        tracker_kind=tracker_kind,
    )
    taken = Conflict(f"kode panggil {call_sign} sudah terdaftar", field="call_sign")
    with unique_or(taken, session):
        session.add(unit)
    return unit


def get_unit(
    session: Session, *, unit_id: int, jurisdiction_ids: Collection[int] | None = None
) -> Unit:
    """One unit, within the caller's jurisdictions (None = all); NotFound otherwise."""
    unit = session.get(Unit, unit_id)
    if unit is None or not _in_scope(unit, jurisdiction_ids):
        raise NotFound(f"unit {unit_id} tidak ditemukan", field="unit_id")
    return unit


def get_unit_by_call_sign(session: Session, *, call_sign: str) -> Unit:
    """The unit with this call sign; NotFound otherwise."""
    unit = session.scalar(select(Unit).where(Unit.call_sign == call_sign))
    if unit is None:
        raise NotFound(f"unit {call_sign} tidak ditemukan", field="call_sign")
    return unit


def _in_scope(unit: Unit, jurisdiction_ids: Collection[int] | None) -> bool:
    return jurisdiction_ids is None or unit.home_jurisdiction_id in jurisdiction_ids


def update_unit(
    session: Session,
    *,
    unit_id: int,
    changes: dict[str, Any],
    jurisdiction_ids: Collection[int] | None = None,
) -> Unit:
    """Change kind, home jurisdiction, crew or tracker kind (status: set_unit_status)."""
    from tracking.trackers import check_tracker_kind

    unit = get_unit(session, unit_id=unit_id, jurisdiction_ids=jurisdiction_ids)
    for name in ("kind", "crew", "tracker_kind"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} tidak boleh kosong (null)", field=name)
    if "crew" in changes and not isinstance(changes["crew"], list):
        raise InvalidInput("awak (crew) harus berupa daftar", field="crew")
    if "kind" in changes:
        _check_kind(changes["kind"])
    if "tracker_kind" in changes:
        check_tracker_kind(changes["tracker_kind"])
    if "home_jurisdiction_id" in changes:
        _check_jurisdiction(session, changes["home_jurisdiction_id"], jurisdiction_ids)
    for name in ("kind", "home_jurisdiction_id", "crew", "tracker_kind"):
        if name in changes:
            setattr(unit, name, changes[name])
    session.flush()
    return unit


def delete_unit(
    session: Session, *, unit_id: int, jurisdiction_ids: Collection[int] | None = None
) -> None:
    """Remove a unit and its positions; Conflict if other records (assignments) refer to it."""
    unit = get_unit(session, unit_id=unit_id, jurisdiction_ids=jurisdiction_ids)
    try:
        with session.begin_nested():
            session.execute(delete(UnitPosition).where(UnitPosition.unit_id == unit_id))
            session.delete(unit)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"unit {unit.call_sign} masih dirujuk data lain (penugasan)", field="unit_id"
        ) from exc


def set_unit_status(
    session: Session, *, unit_id: int, status: str, reason: str = "", actor: str
) -> Unit:
    """Move a unit to `status` if the transition is allowed (Conflict otherwise)."""
    if status not in STATUSES:
        raise InvalidInput(f"status harus salah satu dari {', '.join(STATUSES)}", field="status")
    unit = session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        raise NotFound(f"unit {unit_id} tidak ditemukan", field="unit_id")
    if status == unit.status:
        return unit
    if status not in TRANSITIONS[unit.status]:
        raise Conflict(
            f"status unit {unit.call_sign} tidak dapat berubah dari {unit.status} ke {status}",
            field="status",
        )
    now = datetime.now(UTC)
    session.add(
        UnitStatusChange(
            unit_id=unit.id,
            from_status=unit.status,
            to_status=status,
            reason=reason,
            actor=actor,
            changed_at=now,
        )
    )
    unit.status, unit.status_changed_at = status, now
    session.flush()
    return unit


def set_unit_link(session: Session, *, unit_id: int, connected: bool, at: datetime) -> None:
    """Record the tracker's link state (online/offline); link_changed_at moves on a change."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return
    if unit.link_changed_at is None or unit.link_connected != connected:
        unit.link_connected, unit.link_changed_at, unit.link_reason = connected, at, None
        session.flush()


def _position_columns() -> tuple:
    latest = UnitPositionLatest
    return (
        func.ST_X(latest.geom).label("lon"),
        func.ST_Y(latest.geom).label("lat"),
        latest.fixed_at,
        latest.received_at,
        latest.speed_mps,
        latest.heading_deg,
        latest.accuracy_m,
    )


def list_units(
    session: Session,
    *,
    stale_s: float,
    jurisdiction_ids: Collection[int] | None = None,
    status: str | None = None,
    kind: str | None = None,
    unit_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[UnitView]:
    """Units with their latest fix, fix age and staleness, ordered by call sign."""
    query = (
        select(Unit, *_position_columns())
        .outerjoin(UnitPositionLatest, UnitPositionLatest.unit_id == Unit.id)
        .order_by(Unit.call_sign)
    )
    if jurisdiction_ids is not None:
        query = query.where(Unit.home_jurisdiction_id.in_(list(jurisdiction_ids)))
    if status is not None:
        query = query.where(Unit.status == status)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    if unit_ids is not None:
        query = query.where(Unit.id.in_(list(unit_ids)))
    now = now or datetime.now(UTC)
    return [_unit_view(row, now, stale_s) for row in session.execute(query)]


def _unit_view(row: Any, now: datetime, stale_s: float) -> UnitView:
    if row.fixed_at is None:
        return UnitView(unit=row.Unit, position=None, fix_age_s=None, fix_stale=True)
    position = Position(
        row.lon,
        row.lat,
        row.fixed_at,
        row.received_at,
        row.speed_mps,
        row.heading_deg,
        row.accuracy_m,
    )
    age_s = max(0.0, (now - row.fixed_at).total_seconds())
    return UnitView(unit=row.Unit, position=position, fix_age_s=age_s, fix_stale=age_s > stale_s)


def list_positions(
    session: Session,
    *,
    unit_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> Sequence[Position]:
    """A unit's fix history, newest first."""
    hist = UnitPosition
    query = select(
        func.ST_X(hist.geom),
        func.ST_Y(hist.geom),
        hist.fixed_at,
        hist.received_at,
        hist.speed_mps,
        hist.heading_deg,
        hist.accuracy_m,
    ).where(hist.unit_id == unit_id)
    if since is not None:
        query = query.where(hist.fixed_at >= since)
    if until is not None:
        query = query.where(hist.fixed_at < until)
    rows = session.execute(query.order_by(hist.fixed_at.desc()).limit(limit))
    return [Position(*row) for row in rows]
