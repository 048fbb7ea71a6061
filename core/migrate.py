"""Run Alembic migrations programmatically (used by the CLI and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from core.settings import PROJECT_ROOT, Settings


def alembic_config(settings: Settings, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", (url or settings.database_dsn()).replace("%", "%%"))
    return config


def upgrade(settings: Settings, url: str | None = None, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(settings, url), revision)


def downgrade(settings: Settings, url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(settings, url), revision)
