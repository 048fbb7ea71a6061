"""Lookup rules on the synthetic grid: borders, nearest, out of area, inheritance, batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from core.errors import InvalidLocation, NotFound
from jurisdictions.batch import lookup_points
from jurisdictions.importer import import_file
from jurisdictions.service import (
    descendant_ids,
    effective_target_s,
    effective_timezone,
    lookup_point,
)
from tests.jurisdictions.factories import LAT0, LON0, kemendagri_features, write_geojson


@pytest.fixture
def grid(db_session: Session, tmp_path: Path) -> Session:
    import_file(db_session, path=write_geojson(tmp_path / "kec.geojson", kemendagri_features()))
    return db_session


def test_point_on_shared_border_goes_to_lowest_code(grid: Session) -> None:
    corner = (LON0 + 0.01, LAT0 + 0.01)  # the vertex all four kecamatan share
    edge = (LON0 + 0.01, LAT0 + 0.005)  # the border between 99.01.01 and 99.02.01
    for lon, lat in (corner, edge):
        result = lookup_point(grid, lon=lon, lat=lat)
        assert result.polsek.code == "99.01.01" and result.polres.code == "99.01"
    assert lookup_points(grid, points=[corner, edge]) == [
        lookup_point(grid, lon=lon, lat=lat) for lon, lat in (corner, edge)
    ]


def test_point_at_sea_takes_nearest_within_limit(grid: Session) -> None:
    result = lookup_point(grid, lon=LON0 + 0.025, lat=LAT0 + 0.005)  # 0.005 deg east
    assert result.match == "nearest" and result.polsek.code == "99.02.01"
    assert result.distance_m == pytest.approx(522, rel=0.02)
    with pytest.raises(InvalidLocation) as caught:
        lookup_point(grid, lon=LON0 + 0.025, lat=LAT0 + 0.005, nearest_max_m=100)
    assert caught.value.field == "lat" and "di luar wilayah layanan" in caught.value.message


def test_invalid_coordinates_are_rejected_by_field(grid: Session) -> None:
    with pytest.raises(InvalidLocation) as caught:
        lookup_point(grid, lon=LON0, lat=95.0)
    assert caught.value.field == "lat"
    with pytest.raises(InvalidLocation) as caught:
        lookup_point(grid, lon=-200.0, lat=LAT0)
    assert caught.value.field == "lon"


def test_batch_mixes_results_and_errors_in_input_order(grid: Session) -> None:
    points = [(LON0 + 0.005, LAT0 + 0.015), (LON0, 120.0), (LON0 + 0.025, LAT0), (60.0, -40.0)]
    inside, bad_lat, near, outside = lookup_points(grid, points=points)
    assert inside.polsek.code == "99.01.02" and inside.match == "inside"
    assert isinstance(bad_lat, InvalidLocation) and bad_lat.field == "lat"
    assert near.match == "nearest" and near.polsek.code == "99.02.01"
    assert isinstance(outside, InvalidLocation)


def test_inheritance_and_descendants(grid: Session) -> None:
    result = lookup_point(grid, lon=LON0 + 0.005, lat=LAT0 + 0.005)
    assert effective_target_s(grid, jurisdiction_id=result.polsek.id) is None
    assert effective_timezone(grid, jurisdiction_id=result.polsek.id) is None  # code 99: unknown
    below = descendant_ids(grid, jurisdiction_id=result.polda.id)
    assert len(below) == 7 and result.polsek.id in below
    with pytest.raises(NotFound):
        descendant_ids(grid, jurisdiction_id=-1)
