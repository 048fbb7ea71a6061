"""`siaga osm import`: real extract, generated extract, idempotence, replacement, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.errors import InvalidInput
from places.osm_import import import_osm, source_name
from tests.places.factories import write_extract


def _rows(engine: Engine, source: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE source = :s"),  # noqa: S608
                {"s": source},
            ).scalar()
            for table in ("streets", "street_names", "places", "osm_imports")
        }


def test_real_extract_imports_streets_with_names_classes_oneway(
    engine: Engine, shared_data: Path, osm_source: str
) -> None:
    pbf = shared_data / "roads" / "balikpapan_kota_drive.osm.pbf"
    seen: list[str] = []
    report = import_osm(engine, path=pbf, source=osm_source, progress=lambda p, c: seen.append(p))
    # The README's figures for this extract: 11,167 nodes, 1,636 ways, 580 named, 292 oneway.
    assert (report.nodes, report.ways, report.streets) == (11167, 1636, 1636)
    assert "read" in seen and "swap" in seen
    with engine.connect() as conn:
        named, oneway, trunk = conn.execute(
            text(
                "SELECT count(name), count(*) FILTER (WHERE oneway), "
                "count(*) FILTER (WHERE class = 'trunk') FROM streets WHERE source = :s"
            ),
            {"s": osm_source},
        ).one()
        sudirman = conn.execute(
            text("SELECT count(*) FROM street_names WHERE source = :s AND name ILIKE '%Sudirman%'"),
            {"s": osm_source},
        ).scalar()
    assert (named, oneway, trunk) == (580, 292, 88)
    assert sudirman >= 1


def test_generated_extract_keeps_addr_shops_buildings(
    engine: Engine, tmp_path: Path, osm_source: str
) -> None:
    pbf = write_extract(tmp_path / "uji.osm.pbf")
    report = import_osm(engine, path=pbf, source=osm_source)
    assert (report.streets, report.places) == (1, 3)  # the unnamed bakery is not a place
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name, kind, tags FROM places WHERE source = :s ORDER BY name"),
            {"s": osm_source},
        ).all()
        street = conn.execute(
            text("SELECT name, ref, class, oneway FROM streets WHERE source = :s"),
            {"s": osm_source},
        ).one()
    assert [(r.name, r.kind) for r in rows] == [
        ("Bank Mandiri Uji Coba", "amenity=bank"),
        ("Gedung Uji Coba", "building=yes"),
        ("Indomaret Uji Coba", "shop=convenience"),
    ]
    assert rows[1].tags == {
        "addr:street": "Jalan Uji Coba",
        "addr:housenumber": "7",
        "addr:city": "Balikpapan",
    }
    assert tuple(street) == ("Jalan Uji Coba", "U1", "secondary", True)


def test_reimport_same_file_changes_nothing(
    engine: Engine, tmp_path: Path, osm_source: str
) -> None:
    pbf = write_extract(tmp_path / "uji.osm.pbf")
    import_osm(engine, path=pbf, source=osm_source)
    with engine.connect() as conn:
        ids = conn.execute(
            text("SELECT array_agg(id ORDER BY id) FROM places WHERE source = :s"),
            {"s": osm_source},
        ).scalar()
    again = import_osm(engine, path=pbf, source=osm_source)
    assert again.unchanged
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT array_agg(id ORDER BY id) FROM places WHERE source = :s"),
                {"s": osm_source},
            ).scalar()
            == ids
        )
    assert _rows(engine, osm_source)["osm_imports"] == 1


def test_newer_extract_replaces_the_old_one(
    engine: Engine, tmp_path: Path, osm_source: str
) -> None:
    import_osm(engine, path=write_extract(tmp_path / "a.osm.pbf"), source=osm_source)
    newer = write_extract(tmp_path / "b.osm.pbf", street_name="Jalan Baru", extra_shop=True)
    report = import_osm(engine, path=newer, source=osm_source)
    assert report.replaced_import_id is not None
    with engine.connect() as conn:
        names = (
            conn.execute(text("SELECT name FROM street_names WHERE source = :s"), {"s": osm_source})
            .scalars()
            .all()
        )
    assert names == ["Jalan Baru"]
    assert _rows(engine, osm_source)["places"] == 4


@pytest.mark.parametrize(
    "content, reason",
    [(b"bukan pbf sama sekali", "PBF error"), (None, "unexpected EOF"), (b"", "kosong")],
)
def test_bad_file_fails_clearly_and_keeps_current_data(
    engine: Engine, tmp_path: Path, osm_source: str, content: bytes | None, reason: str
) -> None:
    good = write_extract(tmp_path / "good.osm.pbf")
    import_osm(engine, path=good, source=osm_source)
    before = _rows(engine, osm_source)
    bad = tmp_path / "rusak.osm.pbf"
    if content is None:  # a download cut short
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        bad.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        import_osm(engine, path=bad, source=osm_source)
    assert reason in caught.value.message and "rusak.osm.pbf" in caught.value.message
    assert _rows(engine, osm_source) == before
    with engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'osm_stage_%'")
        )
        assert left.scalar() == 0


def test_extract_without_streets_or_places_is_refused(
    engine: Engine, tmp_path: Path, osm_source: str
) -> None:
    import osmium
    from osmium.osm.mutable import Node

    path = tmp_path / "kosong.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    writer.add_node(Node(id=1, location=(116.83, -1.27)))
    writer.close()
    with pytest.raises(InvalidInput, match="tidak berisi jalan"):
        import_osm(engine, path=path, source=osm_source)


def test_missing_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="tidak ditemukan"):
        import_osm(None, path=tmp_path / "tidak-ada.osm.pbf")  # type: ignore[arg-type]
    wrong = tmp_path / "peta.geojson"
    wrong.write_text("{}")
    with pytest.raises(InvalidInput, match="bukan ekstrak"):
        import_osm(None, path=wrong)  # type: ignore[arg-type]


def test_source_name_ignores_dates(tmp_path: Path) -> None:
    assert source_name(Path("balikpapan-251121.osm.pbf")) == "balikpapan"
    assert source_name(Path("balikpapan-latest.osm.pbf")) == "balikpapan"
    assert source_name(Path("kaltim.osm")) == "kaltim"


def test_cli_import_prints_summary(settings, tmp_path: Path, osm_source: str) -> None:
    import os
    import subprocess
    import sys

    pbf = write_extract(tmp_path / "uji.osm.pbf")
    env = os.environ | {"SIAGA_DATABASE_URL": settings.database_dsn()}
    cmd = [sys.executable, "-m", "core.cli", "osm", "import", str(pbf), "--source", osm_source]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 ruas jalan" in done.stdout and "3 tempat bernama" in done.stdout
    bad = tmp_path / "rusak.osm.pbf"
    shutil.copy(pbf, bad)
    bad.write_bytes(b"xx")
    cmd[-3] = str(bad)
    failed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "gagal: impor rusak.osm.pbf gagal" in failed.stderr
