"""The `siaga jurisdictions` commands against the test database (committed, then cleaned up)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from core.settings import Settings
from jurisdictions.cli import register
from tests.jurisdictions.factories import LAT0, LON0, kemendagri_features, square, write_geojson


@pytest.fixture
def cli(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("SIAGA_DATABASE_URL", settings.database_dsn())
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, ["jurisdictions", *args])
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM jurisdictions WHERE code LIKE '99%'"))


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM jurisdictions WHERE code LIKE '99%'")
        ).scalar()


def test_import_lookup_and_failed_import_leaves_data_untouched(
    cli, engine: Engine, tmp_path: Path
) -> None:
    good = write_geojson(tmp_path / "kec.geojson", kemendagri_features())
    first = cli("import", str(good))
    assert first.exit_code == 0, first.output
    assert "7 baru" in first.output
    assert "0 baru" in cli("import", str(good)).output
    assert _count(engine) == 7

    features = kemendagri_features()
    features[3] = (features[3][0], None)
    bad = cli("import", str(write_geojson(tmp_path / "bad.geojson", features)))
    assert bad.exit_code == 1
    assert "fitur #4 (kode_kec=99.02.02)" in bad.output and "geometri kosong" in bad.output

    # This one fails while writing, after its Polda row was inserted: all of it rolls back.
    native = [
        ({"code": "99X", "name": "Polda X", "level": "polda"}, square(0.5, 0)),
        (
            {"code": "99X.1", "name": "Polsek X", "level": "polsek", "parent": "99NOPE"},
            square(0.5, 0),
        ),
    ]
    failed = cli("import", str(write_geojson(tmp_path / "native.geojson", native)))
    assert failed.exit_code == 1 and "induk 99NOPE tidak ditemukan" in failed.output
    assert _count(engine) == 7

    found = cli("lookup", "--lon", str(LON0 + 0.005), "--lat", str(LAT0 + 0.005))
    assert found.exit_code == 0 and "99.01.01" in found.output
    outside = cli("lookup", "--lon", "60", "--lat", "-40")
    assert outside.exit_code == 1 and "di luar wilayah layanan" in outside.output


def test_demo_setup_is_idempotent(settings: Settings, engine: Engine) -> None:
    from jurisdictions.cli import demo_setup

    demo = "(code = '64' OR code LIKE '64.71%') AND valid_to IS NULL"
    count = f"SELECT count(*), max(response_target_s) FROM jurisdictions WHERE {demo}"  # noqa: S608
    try:
        demo_setup(settings)
        with engine.connect() as connection:
            first = connection.execute(text(count)).one()
        demo_setup(settings)
        with engine.connect() as connection:
            assert connection.execute(text(count)).one() == first == (8, 600)
    finally:
        with engine.begin() as connection:
            rehome = f"UPDATE units SET home_jurisdiction_id = NULL WHERE home_jurisdiction_id IN (SELECT id FROM jurisdictions WHERE {demo})"  # noqa: S608, E501
            connection.execute(text(rehome))
            connection.execute(text(f"DELETE FROM jurisdictions WHERE {demo}"))  # noqa: S608
