"""Plain factory functions for dispatch tests: jurisdictions, units with fixes, incidents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import text
from sqlalchemy.orm import Session

from jurisdictions.models import Jurisdiction
from tracking.models import Unit, UnitPositionLatest

# The area of the real Balikpapan Kota road extract (the graph in shared/data/roads).
WEST, SOUTH, EAST, NORTH = 116.806, -1.281, 116.875, -1.248
MID_LON = (WEST + EAST) / 2
# A point on Jalan Jenderal Sudirman-ish, inside the road graph.
INCIDENT_LON, INCIDENT_LAT = 116.8400, -1.2650


@dataclass
class Area:
    polda: Jurisdiction
    polres: Jurisdiction
    polsek_west: Jurisdiction
    polsek_east: Jurisdiction
    other_polres: Jurisdiction

    def ids(self) -> list[int]:
        """Every jurisdiction id of the area."""
        return [
            j.id
            for j in (
                self.polda,
                self.polres,
                self.polsek_west,
                self.polsek_east,
                self.other_polres,
            )
        ]


def _jurisdiction(
    session: Session,
    *,
    code: str,
    level: str,
    bounds: tuple,
    parent: Jurisdiction | None,
    shift_lon: float = 0.0,
    **kw: Any,
) -> Jurisdiction:
    west, south, east, north = bounds
    row = Jurisdiction(
        code=code,
        name=f"{level.title()} Uji {code} (SINTETIS)",
        level=level,
        parent_id=parent.id if parent else None,
        geom=from_shape(
            MultiPolygon([box(west + shift_lon, south, east + shift_lon, north)]), srid=4326
        ),
        **kw,
    )
    session.add(row)
    session.flush()
    return row


def make_area(session: Session, *, target_s: int = 600, shift_lon: float = 0.0) -> Area:
    """Polda -> Polres (the road extract) -> two Polsek, and a neighbouring Polres to the north."""
    tag = uuid.uuid4().hex[:6]
    polda = _jurisdiction(
        session,
        code=f"T{tag}",
        level="polda",
        parent=None,
        shift_lon=shift_lon,
        bounds=(WEST - 0.2, SOUTH - 0.2, EAST + 0.2, NORTH + 0.3),
        timezone="WITA",
        response_target_s=900,
    )
    polres = _jurisdiction(
        session,
        code=f"T{tag}.1",
        level="polres",
        parent=polda,
        shift_lon=shift_lon,
        bounds=(WEST, SOUTH, EAST, NORTH),
        response_target_s=target_s,
    )
    west = _jurisdiction(
        session,
        code=f"T{tag}.1.1",
        level="polsek",
        parent=polres,
        shift_lon=shift_lon,
        bounds=(WEST, SOUTH, MID_LON, NORTH),
    )
    east = _jurisdiction(
        session,
        code=f"T{tag}.1.2",
        level="polsek",
        parent=polres,
        shift_lon=shift_lon,
        bounds=(MID_LON, SOUTH, EAST, NORTH),
    )
    other = _jurisdiction(
        session,
        code=f"T{tag}.2",
        level="polres",
        parent=polda,
        shift_lon=shift_lon,
        bounds=(WEST, NORTH, EAST, NORTH + 0.2),
    )
    return Area(polda, polres, west, east, other)


def make_unit(
    session: Session,
    *,
    lon: float,
    lat: float,
    kind: str = "R4",
    home: Jurisdiction | None = None,
    status: str = "available",
    link_connected: bool = True,
    fixed_at: datetime | None = None,
    accuracy_m: float | None = 5.0,
    call_sign: str | None = None,
) -> Unit:
    """A unit with a latest fix at (lon, lat)."""
    now = datetime.now(UTC)
    unit = Unit(
        call_sign=call_sign or f"U-{uuid.uuid4().hex[:8]}",
        kind=kind,
        home_jurisdiction_id=home.id if home else None,
        status=status,
        link_connected=link_connected,
        crew=[],
    )
    session.add(unit)
    session.flush()
    session.add(
        UnitPositionLatest(
            unit_id=unit.id,
            geom=from_shape(Point(lon, lat), srid=4326),
            fixed_at=fixed_at or now,
            received_at=fixed_at or now,
            accuracy_m=accuracy_m,
        )
    )
    session.flush()
    return unit


def incident_body(**overrides: Any) -> dict[str, Any]:
    """A valid POST /api/incidents body."""
    body = {
        "caller_name": "Budi Santoso",
        "caller_phone": "+62 812-3456-7890",
        "channel": "telepon",
        "category": "pencurian",
        "priority": 2,
        "description": "Motor dicuri di depan warung",
        "address": "Jl. Jenderal Sudirman",
        "lon": INCIDENT_LON,
        "lat": INCIDENT_LAT,
    }
    body.update(overrides)
    return body


def purge(
    session: Session,
    *,
    incident_ids: list[int] = (),  # type: ignore[assignment]
    unit_ids: list[int] = (),  # type: ignore[assignment]
    jurisdiction_ids: list[int] = (),  # type: ignore[assignment]
) -> None:
    """Remove rows a test had to commit, so later tests in the same database never see them.

    The buku mutasi refuses DELETE by trigger; the trigger is disabled only inside this
    transaction (ALTER TABLE is transactional), which no other session can observe.
    """
    ids = {"i": list(incident_ids), "u": list(unit_ids), "j": list(jurisdiction_ids)}
    session.execute(text("ALTER TABLE incident_log DISABLE TRIGGER incident_log_append_only"))
    for statement in (
        "DELETE FROM incident_log WHERE incident_id = ANY(:i)",
        "DELETE FROM assignments WHERE incident_id = ANY(:i) OR unit_id = ANY(:u)",
        "DELETE FROM incidents WHERE id = ANY(:i)",
        "DELETE FROM units WHERE id = ANY(:u)",
        "DELETE FROM jurisdictions WHERE id = ANY(:j)",
    ):
        session.execute(text(statement), ids)
    session.execute(text("ALTER TABLE incident_log ENABLE TRIGGER incident_log_append_only"))
    session.commit()
