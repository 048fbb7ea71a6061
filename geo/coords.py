"""Coordinate validation: a WGS84 (lon, lat) pair the platform can work with."""

from __future__ import annotations

import math

from core.errors import InvalidLocation


def check_lon_lat(lon: float, lat: float) -> tuple[float, float]:
    """Return (lon, lat) as floats or raise InvalidLocation naming the bad field."""
    lat_f = _finite(lat, "lat")
    lon_f = _finite(lon, "lon")
    if not -90.0 <= lat_f <= 90.0:
        raise InvalidLocation(f"lintang {lat_f} di luar rentang -90..90", field="lat")
    if not -180.0 <= lon_f <= 180.0:
        raise InvalidLocation(f"bujur {lon_f} di luar rentang -180..180", field="lon")
    if lat_f == 0.0 and lon_f == 0.0:
        # (0, 0) is what broken GPS receivers and empty forms send, never a real incident.
        raise InvalidLocation("koordinat (0, 0) bukan lokasi yang sah", field="lat")
    return lon_f, lat_f


def _finite(value: float, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidLocation(f"{field} harus berupa angka", field=field) from None
    if not math.isfinite(number):
        raise InvalidLocation(f"{field} harus berupa angka terhingga", field=field)
    return number
