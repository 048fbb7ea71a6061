"""The one-shot services run here as their containers would (deploy/entrypoint.sh, the
service's command and environment from docker-compose.yml, the image's ENV, no shared data
folder, no broker, a fresh database): migrate creates the first administrator once, and the
demo service loads the whole demo.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.embedded import drop_database, ensure_database
from core.settings import Settings
from tests.test_compose import ENTRYPOINT, _image_env, _services

DATABASE = "siaga_compose_run"


@pytest.fixture
def fresh_database(base_settings: Settings, services: None) -> Iterator[str]:
    drop_database(base_settings, DATABASE)
    ensure_database(base_settings, DATABASE)
    try:
        yield base_settings.database_dsn().rsplit("/", 1)[0] + "/" + DATABASE
    finally:
        drop_database(base_settings, DATABASE)


def _run(service: str, url: str, state: Path, *argv: str) -> subprocess.CompletedProcess:
    """The service's container command (or `argv`, as `docker compose run`) through the
    entrypoint; only the database's address and the state volume differ."""
    spec = _services()[service]
    env = {**_image_env(), **spec["environment"], "SIAGA_DATABASE_URL": url}
    env |= {"SIAGA_STATE_DIR": str(state), "SIAGA_SHARED_DATA_DIR": str(state / "no-shared")}
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    env["HOME"] = str(state)
    command = list(argv) or spec["command"]
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=os.sep,
    )


def test_migrate_creates_the_first_admin_once_and_demo_loads(
    fresh_database: str, tmp_path: Path
) -> None:
    state = tmp_path / "siaga-state"
    first = _run("migrate", fresh_database, state)
    assert first.returncode == 0, first.stderr
    assert "first administrator created: user admin, password " in first.stdout
    again = _run("migrate", fresh_database, state)
    assert again.returncode == 0, again.stderr
    assert "password" not in again.stdout.replace("no password shown", "")

    demo = _run("demo", fresh_database, state)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "demo data loaded" in demo.stdout
    engine = create_engine(fresh_database)
    try:
        with engine.connect() as conn:
            count = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
            assert count("SELECT count(*) FROM units") == int(
                _services()["demo"]["environment"]["SIAGA_DEMO_UNITS"]
            )
            assert count("SELECT count(*) FROM jurisdictions WHERE level = 'polsek'") > 0
            assert count("SELECT count(*) FROM streets") > 0  # OpenStreetMap, osm2pgsql
            assert count("SELECT count(*) FROM places") > 0
            assert count("SELECT count(*) FROM users WHERE role = 'admin'") >= 1
    finally:
        engine.dispose()
    # Road data and the demo users' list went to the state volume, the only writable place.
    assert list((state / "roads").glob("builds/*")), demo.stdout
    assert (state / "demo_users.txt").is_file()
