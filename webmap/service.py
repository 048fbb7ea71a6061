"""Map data for the pages: jurisdiction polygons and live unit positions (SQL lives here)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracking.link_freshness import link_reason_text

# About 5 m at the equator: invisible on screen, a fraction of the vertices.
SIMPLIFY_DEG = 0.00005

JURISDICTIONS_SQL = text("""
SELECT j.id, j.code, j.name, j.level, j.parent_id,
       COALESCE(j.response_target_s, p.response_target_s, g.response_target_s) AS target_s,
       COALESCE(j.timezone, p.timezone, g.timezone) AS timezone,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(j.geom, :tolerance), 6) AS geometry
FROM jurisdictions j
LEFT JOIN jurisdictions p ON p.id = j.parent_id
LEFT JOIN jurisdictions g ON g.id = p.parent_id
WHERE j.valid_from <= now() AND (j.valid_to IS NULL OR j.valid_to > now())
  AND (CAST(:ids AS integer[]) IS NULL OR j.id = ANY(CAST(:ids AS integer[])))
ORDER BY CASE j.level WHEN 'polda' THEN 0 WHEN 'polres' THEN 1 ELSE 2 END, j.code
""")

UNITS_SQL = text("""
SELECT u.id, u.call_sign, u.kind, u.status, u.home_jurisdiction_id, u.link_connected,
       u.link_reason, u.status_changed_at, p.fixed_at, p.received_at, p.speed_mps, p.heading_deg,
       p.accuracy_m, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
       GREATEST(u.status_changed_at, u.link_changed_at, p.received_at) AS changed_at
FROM units u
LEFT JOIN unit_positions_latest p ON p.unit_id = u.id
WHERE (CAST(:ids AS integer[]) IS NULL
       OR u.home_jurisdiction_id = ANY(CAST(:ids AS integer[])))
  AND (CAST(:since AS timestamptz) IS NULL
       OR GREATEST(u.status_changed_at, u.link_changed_at, p.received_at) > :since)
ORDER BY u.call_sign
""")


def _ids(jurisdiction_ids: Iterable[int] | None) -> list[int] | None:
    return None if jurisdiction_ids is None else sorted(jurisdiction_ids)


def jurisdiction_features(
    session: Session, *, jurisdiction_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Jurisdictions in force as a GeoJSON FeatureCollection (polda first, then polres, polsek)."""
    rows = session.execute(
        JURISDICTIONS_SQL, {"tolerance": SIMPLIFY_DEG, "ids": _ids(jurisdiction_ids)}
    ).mappings()
    features = [
        {
            "type": "Feature",
            "id": row["id"],
            "geometry": json.loads(row["geometry"]),
            "properties": {k: row[k] for k in ("id", "code", "name", "level", "parent_id")}
            | {"response_target_s": row["target_s"], "timezone": row["timezone"]},
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def list_live_units(
    session: Session,
    *,
    since: datetime | None = None,
    stale_after_s: float,
    jurisdiction_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Units with their latest fix, changed after `since` (all when None), for the live map."""
    rows = session.execute(UNITS_SQL, {"ids": _ids(jurisdiction_ids), "since": since}).mappings()
    now = session.execute(text("SELECT now()")).scalar_one()
    return [_live_unit(row, now, stale_after_s) for row in rows]


def _live_unit(row: Any, now: datetime, stale_after_s: float) -> dict[str, Any]:
    fixed_at = row["fixed_at"]
    fix_age_s = (now - fixed_at).total_seconds() if fixed_at else None
    return {
        "id": row["id"],
        "call_sign": row["call_sign"],
        "kind": row["kind"],
        "status": row["status"],
        "home_jurisdiction_id": row["home_jurisdiction_id"],
        "link_connected": row["link_connected"],
        "link_reason": row["link_reason"],
        "link_reason_text": link_reason_text(row["link_reason"]),
        "lon": row["lon"],
        "lat": row["lat"],
        "fixed_at": fixed_at.isoformat() if fixed_at else None,
        "fix_age_s": None if fix_age_s is None else round(fix_age_s, 1),
        "stale": fix_age_s is None or fix_age_s > stale_after_s,
        "speed_mps": row["speed_mps"],
        "heading_deg": row["heading_deg"],
        "changed_at": row["changed_at"].isoformat() if row["changed_at"] else None,
    }
