"""Real Balikpapan for tests: the Kec. Balikpapan Kota OSM extract, the 1,094 landmarks, the
police stations, and the kelurahan/kecamatan/kota polygons of Kota Balikpapan (committed)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

REAL_SOURCE = "test-real-balikpapan"
AREA_PREFIX = "64.71"


def load_balikpapan(engine: Engine, shared_data: Path) -> dict:
    """Import everything; returns {source, shared_data}."""
    from core.db import make_session_factory, session_scope
    from places.areas import load_areas
    from places.landmarks import load_places_csv
    from places.osm_import import import_osm

    areas = shared_data / "boundaries" / "target_areas"
    pbf = shared_data / "roads" / "balikpapan_kota_drive.osm.pbf"
    import_osm(engine, path=pbf, source=REAL_SOURCE)
    with session_scope(make_session_factory(engine)) as session:
        for name in ("desa_kelurahan", "kecamatan_full", "kabkota_full"):
            load_areas(session, path=areas / f"{name}.geojson", within=AREA_PREFIX)
        landmarks = shared_data / "places" / "balikpapan_places_osm.csv"
        load_places_csv(session, path=landmarks, source=f"{REAL_SOURCE}-landmarks")
        police = shared_data / "police" / "balikpapan_police_osm.csv"
        load_places_csv(session, path=police, source=f"{REAL_SOURCE}-police")
    return {"source": REAL_SOURCE, "shared_data": shared_data}


def remove_balikpapan(engine: Engine) -> None:
    """Delete what load_balikpapan committed."""
    with engine.begin() as conn:
        for table in ("streets", "street_names", "places", "osm_imports"):
            conn.execute(
                text(f"DELETE FROM {table} WHERE source LIKE :s"),  # noqa: S608
                {"s": REAL_SOURCE + "%"},
            )
        conn.execute(text("DELETE FROM admin_areas WHERE code LIKE :p"), {"p": AREA_PREFIX + "%"})
