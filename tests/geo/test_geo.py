"""Pure geometry: coordinate checks, CRS transforms, geodesic measures."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from core.errors import InvalidInput, InvalidLocation
from geo.coords import check_lon_lat
from geo.crs import lon_lat_bounds_ok, parse_crs, to_wgs84
from geo.measure import area_m2, distance_m


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [
        (116.8, 91.0, "lat"),
        (116.8, -90.5, "lat"),
        (181.0, -1.2, "lon"),
        (math.nan, -1.2, "lon"),
        (116.8, math.inf, "lat"),
        ("abc", -1.2, "lon"),
        (0.0, 0.0, "lat"),
    ],
)
def test_invalid_coordinates_name_the_field(lon: object, lat: object, field: str) -> None:
    with pytest.raises(InvalidLocation) as caught:
        check_lon_lat(lon, lat)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_valid_coordinates_pass_as_floats() -> None:
    assert check_lon_lat("116.83", -1.265) == (116.83, -1.265)  # type: ignore[arg-type]


def test_utm_polygon_reprojects_to_lon_lat() -> None:
    # EPSG:32750 (UTM 50S): Balikpapan lies near easting 481,000 m, northing 9,860,000 m.
    square = shapely.box(481_000, 9_860_000, 482_000, 9_861_000)
    (out,) = to_wgs84(np.array([square], dtype=object), parse_crs("EPSG:32750"))
    lon, lat = out.centroid.x, out.centroid.y
    assert 116.8 < lon < 116.85 and -1.27 < lat < -1.24
    assert area_m2(out) == pytest.approx(1_000_000, rel=0.01)  # UTM scale factor ~0.9996


def test_wgs84_input_is_returned_unchanged() -> None:
    geoms = np.array([shapely.box(116.8, -1.3, 116.9, -1.2)], dtype=object)
    assert to_wgs84(geoms, parse_crs("OGC:CRS84")) is geoms
    assert lon_lat_bounds_ok(geoms)
    assert not lon_lat_bounds_ok(np.array([shapely.box(481_000, 9_860_000, 1, 1)]))


def test_unknown_crs_is_an_input_error() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_crs("EPSG:999999")
    assert caught.value.field == "crs"


def test_geodesic_distance_one_degree_at_equator() -> None:
    assert distance_m(116.0, 0.0, 117.0, 0.0) == pytest.approx(111_319.5, rel=1e-4)
