"""The demo's real geography: extracts written by a rerunnable command, small, loadable."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from jurisdictions.demo import DEMO_FILE
from places.demo import DEMO_DIR, load_demo_geography, write_demo, write_demo_extracts


def test_extracts_are_small_deterministic_and_match_the_repository(
    tmp_path: Path, shared_data: Path
) -> None:
    first = write_demo_extracts(shared_data, tmp_path / "a")
    write_demo_extracts(shared_data, tmp_path / "b")
    assert sum(first.values()) < 3 * 1024 * 1024
    for name in first:
        same = (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert same, name
        # data/demo/ is what the command writes today (rerun it after the source changes).
        assert (DEMO_DIR / name).read_bytes() == (tmp_path / "a" / name).read_bytes(), name
    assert "© OpenStreetMap contributors" in (DEMO_DIR / "README.md").read_text()


def test_one_command_writes_extracts_and_the_demo_jurisdictions(
    tmp_path: Path, shared_data: Path
) -> None:
    sizes = write_demo(shared_data, tmp_path / "demo", boundaries=tmp_path / "j.geojson")
    assert (tmp_path / "j.geojson").read_bytes() == DEMO_FILE.read_bytes()
    assert sum(sizes.values()) < 3 * 1024 * 1024
    note = (DEMO_DIR / "README.md").read_text()  # licence and attribution beside the files
    for name in ("kaltim_provinsi.geojson", "balikpapan_police_osm.csv", "demo_balikpapan"):
        assert name in note, name
    assert "MIT" in note and "ODbL" in note


def test_demo_geography_loads_and_is_found(engine: Engine) -> None:
    from places.search import search_places

    try:
        load_demo_geography(engine)
        load_demo_geography(engine)  # the demo starts again: nothing doubles
        with engine.connect() as conn:
            counts = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM admin_areas WHERE code LIKE '64.71%'),"
                    " (SELECT count(*) FROM places WHERE source = 'demo-places'),"
                    " (SELECT count(*) FROM streets WHERE source = 'demo-balikpapan'),"
                    " (SELECT count(*) FROM admin_areas WHERE code = '64')"
                )
            ).one()
        assert tuple(counts) == (41, 1094, 1636, 1)
        from core.db import make_session_factory

        with make_session_factory(engine)() as session:
            first = search_places(session, q="jl sudirman", lon=116.835, lat=-1.265, limit=1)[0]
        assert first["name"] == "Jalan Jenderal Sudirman"
    finally:
        with engine.begin() as conn:
            for table in ("streets", "street_names", "places", "osm_imports"):
                conn.execute(text(f"DELETE FROM {table} WHERE source LIKE 'demo-%'"))  # noqa: S608
            conn.execute(text("DELETE FROM admin_areas WHERE code = '64' OR code LIKE '64.71%'"))
