"""CRS handling: reproject shapely geometries to EPSG:4326 (lon, lat order)."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from core.errors import InvalidInput

WGS84 = CRS.from_epsg(4326)


def parse_crs(value: str | None) -> CRS | None:
    """A pyproj CRS from any user string (EPSG code, WKT, PROJ); None stays None."""
    if value is None or value == "":
        return None
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise InvalidInput(f"CRS tidak dikenal: {value} ({exc})", field="crs") from None


def is_wgs84(crs: CRS) -> bool:
    """True for EPSG:4326 and OGC CRS84 (same datum, both read here as lon/lat)."""
    return crs.equals(WGS84, ignore_axis_order=True)


def to_wgs84(geoms: np.ndarray, source: CRS) -> np.ndarray:
    """Reproject an array of geometries from `source` to EPSG:4326, always lon/lat order."""
    if is_wgs84(source):
        return geoms
    transformer = Transformer.from_crs(source, WGS84, always_xy=True)

    def _apply(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, _apply)


def lon_lat_bounds_ok(geoms: np.ndarray) -> bool:
    """True when every coordinate lies within lon -180..180 and lat -90..90."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    return bool(xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90)
