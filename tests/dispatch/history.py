"""Stored history for a unit: status changes and position fixes at given UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy.orm import Session

from tracking.models import Unit, UnitPosition, UnitStatusChange


def _utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def available_at(
    session: Session, unit: Unit, changes: list[tuple[str, str]], first: str = "available"
) -> None:
    """Status changes (UTC stamp, new status) in order, starting from status `first`."""
    previous = first
    for stamp, status in changes:
        session.add(
            UnitStatusChange(
                unit_id=unit.id,
                from_status=previous,
                to_status=status,
                reason="uji",
                actor="test",
                changed_at=_utc(stamp),
            )
        )
        previous = status
    session.flush()


def stored_fix(session: Session, unit: Unit, stamp: str, lon: float, lat: float) -> None:
    """One fix in the position history."""
    at = _utc(stamp)
    session.add(
        UnitPosition(
            unit_id=unit.id,
            fixed_at=at,
            received_at=at,
            geom=from_shape(Point(lon, lat), srid=4326),
            accuracy_m=5.0,
            raw="{}",
        )
    )
    session.flush()
