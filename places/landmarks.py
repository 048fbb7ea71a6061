"""Named places from CSV lists (OSM-derived landmark and police-station tables).

Two layouts are read: the landmark list (nama_tempat, kategori, lat, lon, osm_type,
osm_subtype) and the police list (name, lat, lon, unit_level, ...). A load replaces the
rows of its source in the caller's transaction, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput

POLICE_KIND = "amenity=police"
# Police list levels that are not Polri stations (Samsat, private security, Satpol PP).
NOT_POLRI = "not_polri_station"

INSERT_SQL = text(
    """
    INSERT INTO places (source, source_ref, name, kind, category, tags, geom)
    VALUES (:source, :ref, :name, :kind, :category, CAST(:tags AS jsonb),
            ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
    """
)


def _coordinate(row: dict, key: str, line: int, low: float, high: float) -> float:
    try:
        value = float(row[key])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"baris {line}: kolom {key} bukan angka", field=key) from exc
    if not low <= value <= high:
        raise InvalidInput(f"baris {line}: {key} {value} di luar jangkauan", field=key)
    return value


def _row(row: dict, line: int) -> dict:
    """One CSV row as a places row; the layout is told by its columns."""
    lat = _coordinate(row, "lat", line, -90, 90)
    lon = _coordinate(row, "lon", line, -180, 180)
    if "nama_tempat" in row:
        name, category = row["nama_tempat"], row.get("kategori") or None
        kind = f"{row.get('osm_type') or 'place'}={row.get('osm_subtype') or 'yes'}"
        tags: dict = {}
    elif "unit_level" in row:
        name, category, kind = row.get("name", ""), "Polisi", POLICE_KIND
        tags = {"unit_level": row["unit_level"], "note": row.get("note") or ""}
    else:
        raise InvalidInput(
            "kolom CSV tidak dikenal (perlu nama_tempat atau unit_level)", field="file"
        )
    name = (name or "").strip()
    if not name:
        raise InvalidInput(f"baris {line}: nama kosong", field="name")
    return {
        "ref": str(line),
        "name": name,
        "kind": kind,
        "category": category,
        "tags": json.dumps(tags),
        "lon": lon,
        "lat": lat,
    }


def read_places_csv(path: Path) -> list[dict]:
    """Every row of the file, checked; a bad row fails the whole file (nothing half-loaded)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return [_row(row, line) for line, row in enumerate(csv.DictReader(handle), start=2)]
    except OSError as exc:
        raise InvalidInput(f"berkas tidak terbaca: {path}: {exc}", field="file") from exc


def load_places_csv(session: Session, *, path: Path, source: str | None = None) -> int:
    """Replace the rows of `source` (default csv:<file stem>) with the file's; rows loaded."""
    source = source or f"csv:{path.stem}"
    rows = read_places_csv(path)
    session.execute(text("DELETE FROM places WHERE source = :s"), {"s": source})
    if rows:
        session.execute(INSERT_SQL, [{**row, "source": source} for row in rows])
    return len(rows)
