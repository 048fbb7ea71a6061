"""The demo's jurisdictions, real: Polda Kaltim -> Polresta Balikpapan -> one Polsek per kecamatan.

Built from the extracts under data/demo/ (`siaga places write-demo` writes them from
../shared/data, cahyadsn/wilayah_boundaries, MIT):

- Polsek: the six real kecamatan of Kota Balikpapan (64.71.01-06), full detail.
- Polresta Balikpapan: Kota Balikpapan (64.71), full detail; its 600 s target is the 10 minutes
  Polda Kaltim set for Balikpapan (also in data/boundaries/response_targets.csv).
- Polda Kalimantan Timur: the province (64) simplified to ~550 m, united with Kota Balikpapan
  so that its Polres lies exactly inside it (the simplified coast would cut off slivers).

Codes are the Kemendagri codes of the areas, so targets CSVs and national imports line up.
Only Polresta Balikpapan is modelled: a point elsewhere in Kalimantan Timur resolves to the
Polda alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
DEMO_FILE = PROJECT_ROOT / "data" / "boundaries" / "demo_balikpapan.geojson"
POLDA_CODE, POLDA_NAME = "64", "Polda Kalimantan Timur"
POLRES_CODE, POLRES_NAME = "64.71", "Polresta Balikpapan"
POLRES_TARGET_S = 600
# The Polsek whose kecamatan the demo's road extract covers (ETAs by road only there).
ROAD_POLSEK_CODE = "64.71.06"
# The invented set earlier demos loaded; `siaga demo` retires it on machines that still have it.
RETIRED_PREFIX = "SIN"


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _polygonal(geometry) -> dict:  # noqa: ANN001
    """A MultiPolygon mapping with plain lists (what GeoJSON writers and the importer expect)."""
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    return json.loads(json.dumps(mapping(shapely.MultiPolygon(polygons))))


def _feature(code: str, name: str, level: str, parent: str | None, geometry: dict, **props) -> dict:
    base = {"code": code, "name": name, "level": level, "parent": parent}
    base.update({"response_target_s": None, "timezone": None, **props})
    return {"type": "Feature", "properties": base, "geometry": geometry}


def polda_geometry(directory: Path = DEMO_DIR) -> dict:
    """Simplified Kalimantan Timur united with full-detail Kota Balikpapan."""
    (province,) = _features(directory / "kaltim_provinsi.geojson")
    (kota,) = _features(directory / "balikpapan_kabkota.geojson")
    union = shapely.union_all([shape(province["geometry"]), shape(kota["geometry"])])
    return _polygonal(shapely.make_valid(union))


def demo_collection(directory: Path = DEMO_DIR) -> dict:
    """The demo set as a GeoJSON FeatureCollection (project schema: code, name, level, ...)."""
    (kota,) = _features(directory / "balikpapan_kabkota.geojson")
    kecamatan = sorted(
        _features(directory / "balikpapan_kecamatan.geojson"),
        key=lambda f: f["properties"]["kode_kec"],
    )
    features = [
        _feature(POLDA_CODE, POLDA_NAME, "polda", None, polda_geometry(directory), timezone="WITA"),
        _feature(
            POLRES_CODE,
            POLRES_NAME,
            "polres",
            POLDA_CODE,
            kota["geometry"],
            response_target_s=POLRES_TARGET_S,
        ),
    ]
    for kec in kecamatan:
        props = kec["properties"]
        name = f"Polsek {props['nama_kec']}"
        features.append(_feature(props["kode_kec"], name, "polsek", POLRES_CODE, kec["geometry"]))
    return {
        "type": "FeatureCollection",
        "name": "siaga110_demo_balikpapan",
        "description": "Polda Kaltim, Polresta Balikpapan and its six Polsek from the real "
        "Kemendagri polygons (cahyadsn/wilayah_boundaries, MIT); see data/boundaries/README.md.",
        "features": features,
    }


def write_demo_set(path: Path = DEMO_FILE, *, directory: Path = DEMO_DIR) -> Path:
    """Write the demo jurisdictions GeoJSON (deterministic bytes) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(demo_collection(directory), separators=(",", ":"))
    path.write_text(body + "\n", encoding="utf-8")
    return path


def retire_synthetic_set(session: Session) -> int:
    """End the invented SINTETIS set of earlier demos (kept as history); rows retired."""
    result = session.execute(
        text(
            "UPDATE jurisdictions SET valid_to = now() "
            "WHERE valid_to IS NULL AND (code = :root OR code LIKE :prefix)"
        ),
        {"root": RETIRED_PREFIX, "prefix": RETIRED_PREFIX + ".%"},
    )
    return result.rowcount
