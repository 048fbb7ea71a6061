"""Administrative areas (provinsi, kab/kota, kecamatan, desa/kelurahan) from Kemendagri GeoJSON.

They name where a point is ("Kel. Klandasan Ilir, Kec. Balikpapan Kota") and are found by
place search. Codes nest by prefix (64 -> 64.71 -> 64.71.01 -> 64.71.01.1001).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from shapely.geometry import MultiPolygon, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput

# level -> (code property, name property) in the shared data's files.
LEVEL_FIELDS = {
    "provinsi": ("kode_prov", "nama_prov"),
    "kabkota": ("kode_kab", "nama_kab"),
    "kecamatan": ("kode_kec", "nama_kec"),
    "desa": ("kode_desa", "nama_desa"),
}
PARENT_LEVEL = {"kabkota": "kode_prov", "kecamatan": "kode_kab", "desa": "kode_kec"}

UPSERT_SQL = text(
    """
    INSERT INTO admin_areas (code, name, level, label, parent_code, geom, point)
    VALUES (:code, :name, :level, :label, :parent,
            ST_Multi(ST_GeomFromText(:wkt, 4326)), ST_PointOnSurface(ST_GeomFromText(:wkt, 4326)))
    ON CONFLICT (code) DO UPDATE SET
        name = EXCLUDED.name, level = EXCLUDED.level, label = EXCLUDED.label,
        parent_code = EXCLUDED.parent_code, geom = EXCLUDED.geom, point = EXCLUDED.point
    WHERE admin_areas.name IS DISTINCT FROM EXCLUDED.name
       OR NOT ST_Equals(admin_areas.geom, EXCLUDED.geom)
    """
)


def area_label(level: str, code: str, props: dict) -> str:
    """How Indonesians prefix the area's name: Kel./Desa, Kec., Kota/Kab., Prov."""
    if level == "desa":
        # Kemendagri numbering: 1xxx is a kelurahan, 2xxx a desa.
        return "Kel." if code.rsplit(".", 1)[-1].startswith("1") else "Desa"
    if level == "kecamatan":
        return "Kec."
    if level == "kabkota":
        return "Kota" if props.get("jenis") == "Kota" else "Kab."
    return "Prov."


def detect_level(props: dict) -> str:
    """The deepest level whose code property the feature has."""
    for level in ("desa", "kecamatan", "kabkota", "provinsi"):
        if props.get(LEVEL_FIELDS[level][0]):
            return level
    raise InvalidInput("fitur tanpa kode wilayah (kode_prov/kab/kec/desa)", field="file")


def read_areas(path: Path, *, within: str | None = None) -> Iterator[dict]:
    """Rows for admin_areas from a GeoJSON file, optionally only codes under `within`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"berkas wilayah tidak terbaca: {path.name}: {exc}", field="file"
        ) from exc
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        level = detect_level(props)
        code_field, name_field = LEVEL_FIELDS[level]
        code = str(props[code_field])
        if within and not (code == within or code.startswith(within + ".")):
            continue
        geom = shape(feature["geometry"])
        if geom.geom_type == "Polygon":
            geom = MultiPolygon([geom])
        parent = props.get(PARENT_LEVEL[level]) if level in PARENT_LEVEL else None
        yield {
            "code": code,
            "name": str(props[name_field]).strip(),
            "level": level,
            "label": area_label(level, code, props),
            "parent": parent,
            "wkt": geom.wkt,
        }


def load_areas(session: Session, *, path: Path, within: str | None = None) -> tuple[int, int]:
    """Insert or update the file's areas; (read, changed). Loading it again changes nothing."""
    rows = list(read_areas(path, within=within))
    changed = 0
    for row in rows:
        changed += session.execute(UPSERT_SQL, row).rowcount
    return len(rows), changed
