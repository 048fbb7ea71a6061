"""`validate` finds overlaps, gaps and children outside their parent, with their areas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from jurisdictions.importer import import_file
from jurisdictions.validation import validate_jurisdictions
from tests.jurisdictions.factories import (
    LAT0,
    LON0,
    kemendagri_features,
    square,
    write_geojson,
)

# One 0.01-degree square at 20 S, in m² (geodesic): the unit of the areas below.
CELL_M2 = 1_158_524


def _kabkota(tmp_path: Path) -> Path:
    features = []
    for kab, dx in (("99.01", 0.0), ("99.02", 0.01)):
        props = {"kode_prov": "99", "nama_prov": "Uji", "kode_kab": kab, "nama_kab": kab}
        west, south = LON0 + dx, LAT0
        ring = [[west, south], [west + 0.01, south], [west + 0.01, south + 0.02]]
        features.append((props, [*ring, [west, south + 0.02], [west, south]]))
    return write_geojson(tmp_path / "kab.geojson", features)


def test_gap_overlap_and_outside_parent_are_reported(db_session: Session, tmp_path: Path) -> None:
    import_file(db_session, path=_kabkota(tmp_path))
    features = kemendagri_features()
    del features[3]  # 99.02.02 missing: a gap inside Polres 99.02
    features[0] = (features[0][0], square(0, 0, 0.012))  # into 99.01.02 and out of 99.01
    import_file(db_session, path=write_geojson(tmp_path / "kec.geojson", features))
    polda = db_session.execute(
        text("SELECT id FROM jurisdictions WHERE code = '99' AND valid_to IS NULL")
    ).scalar_one()
    # Only this Polda's subtree: whatever else the test database holds is not looked at.
    issues = validate_jurisdictions(db_session, root_id=polda)
    by_kind = {(i.kind, i.codes): i for i in issues}
    gap = by_kind[("gap", ("99.02",))]
    overlap = by_kind[("overlap", ("99.01.01", "99.01.02"))]
    outside = by_kind[("outside_parent", ("99.01.01", "99.01"))]
    # 99.01.01 also overlaps 99.02.01, but that one has another parent: not a sibling overlap.
    assert gap.area_m2 == pytest.approx(CELL_M2, rel=0.01)
    assert overlap.area_m2 == pytest.approx(CELL_M2 * 0.2, rel=0.01)
    assert outside.area_m2 == pytest.approx(CELL_M2 * 0.24, rel=0.01)
    assert len(issues) == 3
    assert "tumpang tindih" in overlap.describe() and "km²" in overlap.describe()
