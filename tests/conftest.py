"""Fixtures on the real PostGIS and Mosquitto that the project's own tooling starts.

A fresh test database (SIAGA_TEST_DB, default siaga_test) is created and migrated once per
run; each DB test runs inside a transaction that is rolled back. MQTT tests use their own
topic root, so a running demo's ingest worker never sees test traffic.
"""

from __future__ import annotations

import functools
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.db import make_engine
from core.embedded import drop_database, ensure_database, ensure_postgres
from core.embedded_broker import ensure_broker
from core.migrate import upgrade
from core.settings import Settings, get_settings


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    root = f"siaga/test-{uuid.uuid4().hex[:8]}"
    # OwnTracks under the session's root too: each root's ingest stream captures its own
    # OwnTracks topics, and two roots on one broker cannot both capture `owntracks/#`.
    return get_settings(mqtt_topic_root=root, owntracks_topic_root=f"{root}/owntracks")


@pytest.fixture(scope="session")
def services(base_settings: Settings) -> None:
    """Start (or reuse) the embedded cluster and broker; a failure here is a test error."""
    ensure_postgres(base_settings)
    ensure_broker(base_settings)


@pytest.fixture(scope="session")
def database_url(base_settings: Settings, services: None) -> str:
    name = os.environ.get("SIAGA_TEST_DB", "siaga_test")
    drop_database(base_settings, name)
    ensure_database(base_settings, name)
    url = base_settings.database_dsn().rsplit("/", 1)[0] + "/" + name
    upgrade(base_settings, url=url)
    return url


@pytest.fixture(scope="session")
def test_roads_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Road data for this run only (the `road_data` fixture builds it)."""
    return tmp_path_factory.mktemp("roads")


@pytest.fixture(scope="session")
def settings(base_settings: Settings, database_url: str, test_roads_dir: Path) -> Settings:
    """Settings pointing at the test database, the test topic root and the test road data."""
    return base_settings.model_copy(
        update={
            "database_url": database_url,
            "mqtt_url": base_settings.mqtt_dsn(),
            "roads_dir": test_roads_dir,
        }
    )


@pytest.fixture(scope="session")
def road_data(base_settings: Settings, test_roads_dir: Path) -> Path:
    """OSRM data built once per run from the real Balikpapan Kota extract (skips without it)."""
    from roads.build import ensure_roads

    pbf = base_settings.shared_data_dir / "roads/balikpapan_kota_drive.osm.pbf"
    if not pbf.is_file():
        pytest.skip(f"road extract not found at {pbf} (set SIAGA_SHARED_DATA_DIR)")
    return ensure_roads(pbf, test_roads_dir, say=lambda _: None)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one transaction rolled back at the end."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def api_client(settings: Settings, db_session: Session) -> Iterator:
    """TestClient on the real app whose request sessions share db_session (rolled back)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.deps import get_read_session, get_session

    # The access cache learns of changes from committed NOTIFYs, which a rolled-back test
    # transaction never sends: these tests check every request (test_access_cache covers it).
    app = create_app(settings.model_copy(update={"auth_cache_ttl_s": 0}))
    app.dependency_overrides[get_session] = lambda: db_session
    app.dependency_overrides[get_read_session] = lambda: db_session
    with TestClient(app) as client:
        # Every route needs a token now (api/policy.py); the default caller is an admin.
        client.headers.update(make_auth_headers(settings, db_session, "admin"))
        yield client


@pytest.fixture(scope="session")
def shared_data(base_settings: Settings) -> Path:
    """../shared/data; tests that need it skip cleanly when it is absent."""
    path = base_settings.shared_data_dir
    if not path.is_dir():
        pytest.skip(f"real data set not found at {path} (set SIAGA_SHARED_DATA_DIR)")
    return path


def wait_until(
    predicate: Callable[[], object],
    timeout_s: float = 10.0,
    interval_s: float = 0.05,
    message: str = "condition",
) -> object:
    """Poll `predicate` until it returns a truthy value; fail after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {message}")
        time.sleep(interval_s)


# --- users and tokens (security issue): callers of each role for API tests ---------------

_TEST_PASSWORD = "kata-sandi-uji-110"


@functools.cache
def _test_password_hash() -> str:
    """Hashed once per run: argon2id is slow on purpose."""
    from api.auth import hash_password

    return hash_password(_TEST_PASSWORD)


def make_auth_headers(
    settings: Settings,
    session: Session,
    role: str,
    *,
    jurisdiction_id: int | None = None,
    unit_id: int | None = None,
    function_code: str | None = None,
) -> dict[str, str]:
    """Create a user of `role` in `session` (password _TEST_PASSWORD); its bearer header."""
    from api.auth import create_user, issue_token

    user = create_user(
        session,
        username=f"test-{role}-{uuid.uuid4().hex[:8]}",
        password_hash=_test_password_hash(),
        role=role,
        jurisdiction_id=jurisdiction_id,
        unit_id=unit_id,
        function_code=function_code,
    )
    token = issue_token(settings, user).access_token
    session.commit()  # a savepoint here: the user survives a test's own rollback()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def user_client(settings: Settings, db_session: Session, api_client) -> Callable:  # noqa: ANN001
    """Factory: user_client(role, jurisdiction_id=..., unit_id=...) -> TestClient as that user.

    Shares api_client's app (and so db_session); the user is rolled back with the test.
    """
    from fastapi.testclient import TestClient

    def make(
        role: str,
        *,
        jurisdiction_id: int | None = None,
        unit_id: int | None = None,
        function_code: str | None = None,
    ):  # noqa: ANN202
        headers = make_auth_headers(
            settings,
            db_session,
            role,
            jurisdiction_id=jurisdiction_id,
            unit_id=unit_id,
            function_code=function_code,
        )
        return TestClient(api_client.app, headers=headers)

    return make
