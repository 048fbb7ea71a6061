"""Jurisdiction polygons as GeoJSON for the map (simplified for the screen)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

# Simplify in metres (geography-free: about 111,320 m per degree near the equator).
_GEOJSON_SQL = text(
    "SELECT id, code, name, level, parent_id, response_target_s, timezone, "
    "ST_AsGeoJSON(ST_Multi(ST_SimplifyPreserveTopology(geom, :tolerance_deg)), 6) AS geometry "
    "FROM jurisdictions WHERE valid_from <= now() AND (valid_to IS NULL OR valid_to > now()) "
    "AND (CAST(:level AS text) IS NULL OR level = :level) "
    "AND (CAST(:parent_id AS integer) IS NULL OR parent_id = :parent_id) "
    "AND (CAST(:scope_ids AS integer[]) IS NULL OR id = ANY(:scope_ids)) ORDER BY level, code"
).bindparams(bindparam("scope_ids", type_=ARRAY(Integer)))
METRES_PER_DEGREE = 111_320.0


def jurisdictions_geojson(
    session: Session,
    *,
    level: str | None = None,
    parent_id: int | None = None,
    scope_ids: Iterable[int] | None = None,
    tolerance_m: float = 20.0,
) -> dict:
    """FeatureCollection of the jurisdictions in force (filtered by level, parent, scope)."""
    params = {
        "level": level,
        "parent_id": parent_id,
        "scope_ids": None if scope_ids is None else sorted(scope_ids),
        "tolerance_deg": max(tolerance_m, 0.0) / METRES_PER_DEGREE,
    }
    features = [
        {
            "type": "Feature",
            "id": row.id,
            "geometry": json.loads(row.geometry),
            "properties": {
                "id": row.id,
                "code": row.code,
                "name": row.name,
                "level": row.level,
                "parent_id": row.parent_id,
                "response_target_s": row.response_target_s,
                "timezone": row.timezone,
            },
        }
        for row in session.execute(_GEOJSON_SQL, params)
    ]
    return {"type": "FeatureCollection", "features": features}
