"""`siaga jurisdictions validate`: gaps, sibling overlaps and children outside their parent.

Like NENA's GIS data validation for PSAP boundaries: every problem comes with its area
(geodesic, m²) and a point inside it, so an operator can find it on the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from geo.measure import area_m2
from jurisdictions.service import descendant_ids
from jurisdictions.units import dissolve

_IN_FORCE_SQL = text(
    "SELECT id, code, level, parent_id, ST_AsBinary(geom) AS wkb FROM jurisdictions "
    "WHERE valid_from <= coalesce(CAST(:at AS timestamptz), now()) "
    "AND (valid_to IS NULL OR valid_to > coalesce(CAST(:at AS timestamptz), now())) "
    "AND (CAST(:ids AS integer[]) IS NULL OR id = ANY(:ids)) ORDER BY code"
).bindparams(bindparam("ids", type_=ARRAY(Integer)))


@dataclass(frozen=True)
class Issue:
    """One problem: kind is 'gap', 'overlap' or 'outside_parent'."""

    kind: str
    level: str
    codes: tuple[str, ...]
    area_m2: float
    lon: float
    lat: float

    def describe(self) -> str:
        """One line for the terminal."""
        what = {"gap": "celah", "overlap": "tumpang tindih", "outside_parent": "keluar induk"}
        return (
            f"{what[self.kind]:<14} {self.level:<7} {', '.join(self.codes):<28} "
            f"{self.area_m2 / 1e6:12.4f} km²  di ({self.lon:.5f}, {self.lat:.5f})"
        )


@dataclass
class _Row:
    id: int
    code: str
    level: str
    parent_id: int | None
    geom: shapely.Geometry


def validate_jurisdictions(
    session: Session,
    *,
    min_area_m2: float = 1.0,
    at: datetime | None = None,
    root_id: int | None = None,
) -> list[Issue]:
    """Every gap, overlap and outside-parent area of at least min_area_m2 among rows in force.

    With root_id, only that jurisdiction and what lies below it (one Polda, say).
    """
    ids = None if root_id is None else sorted(descendant_ids(session, jurisdiction_id=root_id))
    rows = [
        _Row(r.id, r.code, r.level, r.parent_id, shapely.from_wkb(bytes(r.wkb)))
        for r in session.execute(_IN_FORCE_SQL, {"at": at, "ids": ids})
    ]
    by_id = {row.id: row for row in rows}
    groups: dict[int | None, list[_Row]] = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in by_id else None
        groups.setdefault(parent, []).append(row)
    issues: list[Issue] = []
    for parent_id, children in sorted(groups.items(), key=lambda kv: kv[0] or 0):
        parent = by_id.get(parent_id) if parent_id is not None else None
        issues += _overlaps(children)
        issues += _gaps(parent, children)
        if parent is not None:
            issues += _outside(parent, children)
    return [i for i in issues if i.area_m2 >= min_area_m2]


def _issue(kind: str, level: str, codes: tuple[str, ...], geom: shapely.Geometry) -> Issue:
    point = shapely.point_on_surface(geom)
    return Issue(kind, level, codes, area_m2(geom), round(point.x, 6), round(point.y, 6))


def _overlaps(siblings: list[_Row]) -> list[Issue]:
    geoms = np.array([row.geom for row in siblings], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    issues = []
    for a, b in zip(left[keep], right[keep], strict=True):
        if not shapely.relate_pattern(geoms[a], geoms[b], "T********"):
            continue  # touching along a border is fine
        shared = as_polygons(shapely.intersection(geoms[a], geoms[b]))
        if not shared.is_empty:
            codes = (siblings[a].code, siblings[b].code)
            issues.append(_issue("overlap", siblings[a].level, codes, shared))
    return issues


def _gaps(parent: _Row | None, children: list[_Row]) -> list[Issue]:
    union = dissolve(row.geom for row in children)
    level = children[0].level
    if parent is None:
        # Roots: a gap is a hole in the union (the sea around it is not a gap).
        holes = [shapely.Polygon(ring) for poly in union.geoms for ring in poly.interiors]
        return [_issue("gap", level, ("-",), hole) for hole in holes]
    missing = as_polygons(shapely.difference(parent.geom, union))
    return [_issue("gap", level, (parent.code,), piece) for piece in missing.geoms]


def _outside(parent: _Row, children: list[_Row]) -> list[Issue]:
    shapely.prepare(parent.geom)
    issues = []
    for child in children:
        if shapely.covered_by(child.geom, parent.geom):
            continue
        sticking = as_polygons(shapely.difference(child.geom, parent.geom))
        for piece in sticking.geoms:
            issues.append(_issue("outside_parent", child.level, (child.code, parent.code), piece))
    return issues


def as_polygons(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """The polygonal parts of an overlay result (lines and points dropped)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polygons)
