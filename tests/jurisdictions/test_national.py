"""The real national kab/kota and kecamatan sets (../shared/data/boundaries)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import make_session_factory, session_scope
from jurisdictions.batch import lookup_points
from jurisdictions.importer import import_file
from jurisdictions.service import descendant_ids, effective_target_s, lookup_point
from jurisdictions.validation import validate_jurisdictions

pytestmark = pytest.mark.slow

_INTERIOR_POINTS = text(
    "SELECT id, code, level, ST_X(p) AS lon, ST_Y(p) AS lat FROM "
    "(SELECT id, code, level, ST_PointOnSurface(geom) AS p FROM jurisdictions "
    "WHERE valid_to IS NULL AND code ~ '^[0-9.]+$') s ORDER BY code"
)


def test_import_counts_and_reimport_changes_nothing(
    national: dict, engine, shared_data: Path
) -> None:
    assert national["kabkota"].created == 38 + 514
    assert national["kecamatan"].created == 7285
    assert national["kecamatan"].unchanged == 38 + 514  # Polda/Polres kept from kabkota
    # kabkota rather than kecamatan keeps the suite fast; both failed alike before EWKB.
    with session_scope(make_session_factory(engine)) as session:
        again = import_file(session, path=shared_data / "boundaries" / "kabkota.geojson")
    assert (again.changed, again.unchanged) == (0, 514 + 38)


def test_every_interior_point_resolves_to_its_own_polygon_in_both_paths(
    national: dict, db_session: Session
) -> None:
    rows = db_session.execute(_INTERIOR_POINTS).all()
    assert len(rows) == 7285 + 514 + 38
    batch = lookup_points(db_session, points=[(r.lon, r.lat) for r in rows])
    for row, from_batch in zip(rows, batch, strict=True):
        single = lookup_point(db_session, lon=row.lon, lat=row.lat)
        mine = getattr(single, row.level)
        assert single.match == "inside" and mine is not None and mine.id == row.id, row.code
        assert from_batch == single, row.code  # in-process index agrees with PostGIS


def test_kecamatan_nest_inside_their_kabkota(national: dict, db_session: Session) -> None:
    issues = validate_jurisdictions(db_session, min_area_m2=1.0)
    kinds = {issue.kind for issue in issues}
    assert "outside_parent" not in kinds and "overlap" not in kinds
    pairs = db_session.execute(
        text(
            "SELECT c.code, p.code FROM jurisdictions c JOIN jurisdictions p ON p.id = c.parent_id "
            "WHERE c.valid_to IS NULL AND c.level = 'polsek' AND c.code ~ '^[0-9.]+$'"
        )
    ).all()
    assert len(pairs) == 7285 and all(child[:5] == parent for child, parent in pairs)
    national_validation["issues"] = issues


national_validation: dict = {}


def test_known_gaps_are_reported_and_answered_with_nearest(
    national: dict, db_session: Session
) -> None:
    issues = national_validation.get("issues") or validate_jurisdictions(db_session)
    gaps = [i for i in issues if i.kind == "gap" and i.level == "polda"]
    assert len(gaps) == 27  # the data's README: 27 interior gaps
    moat = [g for g in gaps if abs(g.lon - 124.46) < 0.05 and abs(g.lat - 0.75) < 0.05]
    assert len(moat) == 1 and moat[0].area_m2 == pytest.approx(6.5e6, rel=0.05)
    largest = max(gaps, key=lambda g: g.area_m2)
    assert largest.area_m2 == pytest.approx(1312e6, rel=0.01) and 135 < largest.lon < 138
    for gap in (moat[0], largest):
        result = lookup_point(db_session, lon=gap.lon, lat=gap.lat)
        assert result.match == "nearest" and result.distance_m > 0 and result.polsek is not None
        (from_batch,) = lookup_points(db_session, points=[(gap.lon, gap.lat)])
        assert from_batch == result


def test_shared_border_vertex_goes_to_the_lowest_code(national: dict, db_session: Session) -> None:
    rows = db_session.execute(
        text(
            "SELECT a.code AS a, b.code AS b, ST_X(v) AS lon, ST_Y(v) AS lat FROM jurisdictions a "
            "JOIN jurisdictions b ON a.parent_id = b.parent_id AND a.code < b.code "
            "AND a.geom && b.geom AND ST_Touches(a.geom, b.geom), "
            "LATERAL (SELECT ST_PointN(ST_GeometryN(ST_Intersection(ST_Boundary(a.geom), "
            "ST_Boundary(b.geom)), 1), 1) AS v) x "
            "WHERE a.level = 'polsek' AND a.code LIKE '64.71.%' AND v IS NOT NULL"
        )
    ).all()
    assert len(rows) >= 3
    batch = lookup_points(db_session, points=[(r.lon, r.lat) for r in rows])
    for row, from_batch in zip(rows, batch, strict=True):
        single = lookup_point(db_session, lon=row.lon, lat=row.lat)
        assert single.polsek.code <= row.a, row  # never the higher code of the pair
        assert from_batch == single


def test_balikpapan_target_is_inherited(national: dict, db_session: Session) -> None:
    result = lookup_point(db_session, lon=116.83, lat=-1.265)
    assert (result.polres.code, result.polres.name) == ("64.71", "Polres Kota Balikpapan")
    assert (result.response_target_s, result.timezone) == (600, "WITA")
    assert effective_target_s(db_session, jurisdiction_id=result.polsek.id) == 600
    below = descendant_ids(db_session, jurisdiction_id=result.polres.id)
    assert result.polsek.id in below and len(below) == 7  # itself + 6 kecamatan
    papua = lookup_point(db_session, lon=140.7, lat=-2.55)
    assert (papua.timezone, papua.response_target_s) == ("WIT", None)
