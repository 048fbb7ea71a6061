"""The road route a unit drives to an incident: the line the console draws, with its ETA."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import NotFound
from dispatch.intake import get_incident, incident_lonlat
from roads.service import HOW, Roads, estimate_etas, local_hour, route_to

GEOD = Geod(ellps="WGS84")
UNIT_POSITION_SQL = text("""
SELECT u.id, u.call_sign, u.kind, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
FROM units u JOIN unit_positions_latest p ON p.unit_id = u.id
WHERE u.id = :unit_id
""")


def unit_route(
    session: Session,
    roads: Roads,
    *,
    incident_id: int,
    unit_id: int,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One route call from the unit's latest fix to the incident (or the labelled fallback)."""
    incident = get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    unit = session.execute(UNIT_POSITION_SQL, {"unit_id": unit_id}).mappings().one_or_none()
    if unit is None:
        raise NotFound(f"unit {unit_id} tidak ada atau belum punya posisi", field="unit_id")
    target = incident_lonlat(incident)
    origin = (unit["lon"], unit["lat"])
    hour = local_hour(now or datetime.now(UTC), incident.timezone)
    route = route_to(roads, kind=unit["kind"], origin=origin, target=target, hour=hour)
    out = {
        "incident_id": incident.id,
        "unit_id": unit["id"],
        "call_sign": unit["call_sign"],
        "kind": unit["kind"],
        "route": route,
    }
    if route is not None:
        return out | {"eta_s": route["eta_s"], "eta_method": "road", "eta_how": HOW["road"]}
    straight_m = GEOD.inv(*origin, *target)[2]
    (eta,) = estimate_etas(
        roads, target=target, hour=hour, units=[(unit["kind"], *origin, straight_m)]
    )
    return out | {"eta_s": round(eta.eta_s, 1), "eta_method": eta.method, "eta_how": eta.how}
