"""Police stations as home posts: the Polri station that stands for a jurisdiction.

From the loaded police-station list (the rows with a unit_level; the landmark list's copies
of the same points carry none; Samsat, private security and Satpol PP are tagged
amenity=police in OSM but are not Polri and never count). Inside the polygon a
station of the jurisdiction's own name comes first, then by level (Polsek, police post,
Polres, Polda); a jurisdiction with no station inside gets the nearest one, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from places.landmarks import NOT_POLRI, POLICE_KIND

HOME_POST_SQL = text(
    """
    SELECT j.id AS jurisdiction_id, s.name, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.inside
    FROM jurisdictions j
    CROSS JOIN LATERAL (
        SELECT p.name, p.geom, ST_Covers(j.geom, p.geom) AS inside
        FROM places p
        WHERE p.kind = :kind AND p.tags ? 'unit_level' AND p.tags ->> 'unit_level' <> :not_polri
        ORDER BY ST_Covers(j.geom, p.geom) DESC,
                 (ST_Covers(j.geom, p.geom) AND p.name = j.name) DESC,
                 CASE WHEN ST_Covers(j.geom, p.geom) THEN array_position(
                     ARRAY['polsek', 'pos_polisi', 'polres', 'polres_unit', 'polda',
                           'polda_unit'], p.tags ->> 'unit_level') END NULLS LAST,
                 ST_Distance(j.geom::geography, p.geom::geography), p.name, p.id
        LIMIT 1
    ) s
    WHERE j.id = ANY(:ids)
    """
)


@dataclass(frozen=True)
class HomePost:
    """The station a jurisdiction's units start from."""

    jurisdiction_id: int
    name: str
    lon: float
    lat: float
    inside: bool  # False: no Polri station inside the polygon; this is the nearest one


def home_posts(session: Session, *, jurisdiction_ids: Iterable[int]) -> dict[int, HomePost]:
    """{jurisdiction id: its home post}; jurisdictions without any station loaded are left out."""
    ids = sorted(set(jurisdiction_ids))
    if not ids:
        return {}
    params = {"ids": ids, "kind": POLICE_KIND, "not_polri": NOT_POLRI}
    rows = session.execute(HOME_POST_SQL, params).mappings()
    return {r["jurisdiction_id"]: HomePost(**r) for r in rows}
