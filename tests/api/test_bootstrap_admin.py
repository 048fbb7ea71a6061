"""First start (docker compose's migrate service): one administrator, its password shown once."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import pytest
import typer
from sqlalchemy import select, text
from typer.testing import CliRunner

from api.auth import verify_password
from api.models import User
from core.db import make_engine
from core.embedded import drop_database, ensure_database
from core.migrate import upgrade
from core.settings import Settings


@pytest.fixture
def fresh_url(settings: Settings) -> Iterator[str]:
    """A database as a first `docker compose up` finds it: migrated, no users."""
    name = os.environ.get("SIAGA_TEST_DB", "siaga_test") + "_bootstrap"
    drop_database(settings, name)
    ensure_database(settings, name)
    url = settings.database_dsn().rsplit("/", 1)[0] + "/" + name
    upgrade(settings, url=url)
    yield url
    drop_database(settings, name)


@pytest.fixture
def bootstrap(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable:
    from api.cli import register

    monkeypatch.setenv("SIAGA_DATABASE_URL", fresh_url)
    app = typer.Typer()
    register(app)
    return lambda *args: CliRunner().invoke(app, ["users", "bootstrap", *args])


def test_first_start_creates_one_admin_and_shows_the_password_once(bootstrap, fresh_url, settings):  # noqa: ANN001
    first = bootstrap()
    assert first.exit_code == 0, first.output
    password = re.search(r"user admin, password (\S+)", first.output).group(1)
    engine = make_engine(settings.model_copy(update={"database_url": fresh_url}))
    with engine.connect() as connection:
        stored = connection.execute(select(User.password_hash).where(User.role == "admin")).all()
    assert len(stored) == 1 and verify_password(stored[0][0], password)
    assert password not in stored[0][0]
    again = bootstrap()
    assert again.exit_code == 0 and password not in again.output
    assert "none created" in again.output
    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET disabled_at = now() WHERE role = 'admin'"))
    # A disabled administrator is still one: re-enabling it is an admin's decision, not a restart's.
    assert "none created" in bootstrap().output
    engine.dispose()
