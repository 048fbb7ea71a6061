"""Geodesic measures on the WGS84 ellipsoid (metres, square metres)."""

from __future__ import annotations

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two (lon, lat) points."""
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist)


def area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in square metres of a lon/lat (Multi)Polygon."""
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(float(area))
