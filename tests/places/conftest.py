"""Places fixtures: imports commit (osm2pgsql and the swap own their transactions), so each
test uses its own source name and removes its rows afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text


@pytest.fixture
def osm_source(engine: Engine) -> Iterator[str]:
    """A source name unique to the test; its streets, places and import rows are removed."""
    source = f"test-{uuid.uuid4().hex[:8]}"
    yield source
    with engine.begin() as conn:
        for table in ("streets", "street_names", "places", "osm_imports"):
            conn.execute(text(f"DELETE FROM {table} WHERE source = :s"), {"s": source})  # noqa: S608


REAL_SOURCE = "test-real-balikpapan"
AREA_PREFIX = "64.71"


@pytest.fixture(scope="package")
def balikpapan(engine: Engine, shared_data) -> Iterator[dict]:  # noqa: ANN001
    """Real Balikpapan in the test database (committed once for the package, then removed):
    the Kec. Balikpapan Kota OSM extract, the 1,094 landmarks, the police stations, and the
    kelurahan/kecamatan/kota polygons of Kota Balikpapan."""
    from core.db import make_session_factory, session_scope
    from places.areas import load_areas
    from places.landmarks import load_places_csv
    from places.osm_import import import_osm

    areas = shared_data / "boundaries" / "target_areas"
    import_osm(
        engine, path=shared_data / "roads" / "balikpapan_kota_drive.osm.pbf", source=REAL_SOURCE
    )
    with session_scope(make_session_factory(engine)) as session:
        for name in ("desa_kelurahan", "kecamatan_full", "kabkota_full"):
            load_areas(session, path=areas / f"{name}.geojson", within=AREA_PREFIX)
        load_places_csv(
            session,
            path=shared_data / "places" / "balikpapan_places_osm.csv",
            source=f"{REAL_SOURCE}-landmarks",
        )
        load_places_csv(
            session,
            path=shared_data / "police" / "balikpapan_police_osm.csv",
            source=f"{REAL_SOURCE}-police",
        )
    yield {"source": REAL_SOURCE, "shared_data": shared_data}
    with engine.begin() as conn:
        for table in ("streets", "street_names", "places", "osm_imports"):
            conn.execute(
                text(f"DELETE FROM {table} WHERE source LIKE :s"),  # noqa: S608
                {"s": REAL_SOURCE + "%"},
            )
        conn.execute(text("DELETE FROM admin_areas WHERE code LIKE :p"), {"p": AREA_PREFIX + "%"})
