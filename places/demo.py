"""The demo's real geography: small extracts of ../shared/data for Kota Balikpapan (64.71).

`siaga places write-demo` writes them under data/demo/ (rerunnable, deterministic bytes);
`siaga demo` loads them (the OSM import is idempotent, areas are upserted, lists replaced).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy.engine import Engine

from core.errors import SetupError
from core.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
AREA_CODE = "64.71"  # Kota Balikpapan
AREA_FILES = {  # extract name -> source under shared_data/boundaries/target_areas
    "balikpapan_kabkota.geojson": "kabkota_full.geojson",
    "balikpapan_kecamatan.geojson": "kecamatan_full.geojson",
    "balikpapan_kelurahan.geojson": "desa_kelurahan.geojson",
}
PROVINCE_FILE = "kaltim_provinsi.geojson"  # Kalimantan Timur (64), simplified: Polda Kaltim
PROVINCE_CODE = "64"
# Douglas-Peucker tolerance for the province outline, degrees (~550 m): the Polda polygon only
# has to hold its Polres, which stays at full detail, and the file stays under 100 KB.
PROVINCE_TOLERANCE_DEG = 0.005
COPIED = {  # extract name -> source under shared_data (small already: copied as they are)
    "balikpapan_kota_drive.osm.pbf": "roads/balikpapan_kota_drive.osm.pbf",
    "balikpapan_places_osm.csv": "places/balikpapan_places_osm.csv",
    "balikpapan_police_osm.csv": "police/balikpapan_police_osm.csv",
    "LICENSE-cahyadsn-wilayah_boundaries.txt": "boundaries/LICENSE-cahyadsn-wilayah_boundaries.txt",
}


def _rounded(value):  # noqa: ANN001, ANN202
    if isinstance(value, float):
        return round(value, 6)  # ~0.1 m: far below the source's own accuracy
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _area_extract(source: Path, target: Path) -> int:
    data = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        props = feature["properties"]
        code = props.get("kode_desa") or props.get("kode_kec") or props.get("kode_kab") or ""
        if code == AREA_CODE or code.startswith(AREA_CODE + "."):
            geometry = feature["geometry"]
            geometry = {**geometry, "coordinates": _rounded(geometry["coordinates"])}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
    features.sort(key=lambda f: json.dumps(f["properties"], sort_keys=True))
    body = {"type": "FeatureCollection", "features": features}
    target.write_text(json.dumps(body, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(features)


def _province_extract(source: Path, target: Path) -> None:
    """Kalimantan Timur, simplified (topology kept, every island kept), on a 1e-5 degree grid."""
    import shapely
    from shapely.geometry import mapping, shape

    data = json.loads(source.read_text(encoding="utf-8"))
    (feature,) = [f for f in data["features"] if f["properties"]["kode_prov"] == PROVINCE_CODE]
    outline = shape(feature["geometry"]).simplify(PROVINCE_TOLERANCE_DEG, preserve_topology=True)
    outline = shapely.set_precision(outline, 1e-5)
    geometry = json.loads(json.dumps(mapping(outline)))  # tuples -> lists
    geometry["coordinates"] = _rounded(geometry["coordinates"])
    body = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": feature["properties"], "geometry": geometry}
        ],
    }
    target.write_text(json.dumps(body, separators=(",", ":")) + "\n", encoding="utf-8")


# The licence and attribution note written beside the extracts.
ATTRIBUTION_FILE = Path(__file__).resolve().parent / "demo_attribution.md"


def write_demo_extracts(shared_data: Path, out: Path = DEMO_DIR) -> dict[str, int]:
    """Write every extract; {file name: bytes written}."""
    if not shared_data.is_dir():
        raise SetupError(f"data bersama tidak ditemukan di {shared_data} (SIAGA_SHARED_DATA_DIR)")
    out.mkdir(parents=True, exist_ok=True)
    areas = shared_data / "boundaries" / "target_areas"
    for name, source in AREA_FILES.items():
        _area_extract(areas / source, out / name)
    _province_extract(shared_data / "boundaries" / "provinsi.geojson", out / PROVINCE_FILE)
    for name, source in COPIED.items():
        shutil.copyfile(shared_data / source, out / name)
    shutil.copyfile(ATTRIBUTION_FILE, out / "README.md")
    return {p.name: p.stat().st_size for p in sorted(out.iterdir())}


def write_demo(shared_data: Path, out: Path = DEMO_DIR, boundaries: Path | None = None) -> dict:
    """The extracts, then the demo's jurisdictions built from them; {file name: bytes}."""
    from jurisdictions.demo import DEMO_FILE, write_demo_set

    sizes = write_demo_extracts(shared_data, out)
    written = write_demo_set(boundaries or DEMO_FILE, directory=out)
    return {**sizes, f"../boundaries/{written.name}": written.stat().st_size}


def load_demo_geography(engine: Engine, directory: Path = DEMO_DIR) -> None:
    """Streets, landmarks, police stations and areas of the demo, from data/demo/."""
    from core.db import make_session_factory, session_scope
    from places.areas import load_areas
    from places.landmarks import load_places_csv
    from places.osm_import import import_osm

    pbf = directory / "balikpapan_kota_drive.osm.pbf"
    if not pbf.is_file():
        raise SetupError(f"ekstrak demo tidak ada di {directory}: jalankan siaga places write-demo")
    import_osm(engine, path=pbf, source="demo-balikpapan")
    with session_scope(make_session_factory(engine)) as session:
        for name in [PROVINCE_FILE, *AREA_FILES]:
            load_areas(session, path=directory / name)
        load_places_csv(session, path=directory / "balikpapan_places_osm.csv", source="demo-places")
        load_places_csv(session, path=directory / "balikpapan_police_osm.csv", source="demo-police")
