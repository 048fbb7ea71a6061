"""Reverse geocoding: a point as an operator would say it.

"Jl. Ahmad Yani ±30 m, dekat Masjid Agung At-Taqwa, Kel. Gunung Sari Ilir, Kec. Balikpapan
Tengah", plus the Polda -> Polres -> Polsek chain that owns the point.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidLocation
from geo.coords import check_lon_lat

REVERSE_SQL = text((Path(__file__).resolve().parent / "sql" / "reverse.sql").read_text())
STREET_MAX_M = 150.0
PLACE_MAX_M = 250.0


def street_label(name: str) -> str:
    """'Jalan Jenderal Sudirman' -> 'Jl. Jenderal Sudirman' (how it is written on a report)."""
    return re.sub(r"^(jalan|jln\.?|jl\.?)\s+", "Jl. ", name, flags=re.IGNORECASE)


def _distance(metres: float) -> str:
    from places.search import format_distance

    return format_distance(metres)


def describe_point(session: Session, *, lon: float, lat: float) -> dict:
    """Nearest street and landmark, covering areas, jurisdiction, and one description line."""
    from jurisdictions.service import lookup_point

    lon, lat = check_lon_lat(lon, lat)
    row = _nearby(session, lon=lon, lat=lat)
    try:
        chain = lookup_point(session, lon=lon, lat=lat)
        row["jurisdiction"] = {
            level: (None if ref is None else {"id": ref.id, "code": ref.code, "name": ref.name})
            for level, ref in (
                ("polda", chain.polda),
                ("polres", chain.polres),
                ("polsek", chain.polsek),
            )
        }
    except InvalidLocation:
        row["jurisdiction"] = None
    row["description"] = describe_line(row)
    return {"lon": lon, "lat": lat, **row}


def _nearby(session: Session, *, lon: float, lat: float) -> dict:
    params = {"lon": lon, "lat": lat, "street_max_m": STREET_MAX_M, "place_max_m": PLACE_MAX_M}
    return dict(session.execute(REVERSE_SQL, params).mappings().one())


def describe_location(session: Session, *, lon: float, lat: float) -> str:
    """The one description line of a point (what an incident stores at creation)."""
    lon, lat = check_lon_lat(lon, lat)
    return describe_line(_nearby(session, lon=lon, lat=lat))


def describe_line(row: dict) -> str:
    """One line from the parts that were found (none found: 'lokasi tanpa nama')."""
    parts = []
    if street := row.get("street"):
        parts.append(f"{street_label(street['name'])} {_distance(street['distance_m'])}")
    if landmark := row.get("landmark"):
        parts.append(f"dekat {landmark['name']}")
    for level in ("desa", "kecamatan"):
        if area := row.get(level):
            parts.append(f"{area['label']} {area['name']}")
    if not row.get("desa") and (area := row.get("kabkota")):
        parts.append(f"{area['label']} {area['name']}")
    return ", ".join(parts) or "lokasi tanpa nama jalan atau tempat terdekat"
