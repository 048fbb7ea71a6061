"""One settings class for every entry point (env prefix SIAGA_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Settings read from SIAGA_* environment variables; built at entry points only."""

    model_config = SettingsConfigDict(env_prefix="SIAGA_", extra="ignore")

    # Unset: use the embedded cluster/broker that `siaga services up` runs under state_dir.
    database_url: str | None = None
    mqtt_url: str | None = None
    state_dir: Path = PROJECT_ROOT / ".state"
    pg_port: int = Field(55432, ge=1, le=65535)
    mqtt_port: int = Field(51883, ge=1, le=65535)
    pg_bin_dir: Path = Path("/usr/lib/postgresql/15/bin")

    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    shared_data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    tile_url: str = ""
    # Every MQTT topic of the platform lives under this root (tests use their own root).
    mqtt_topic_root: str = "siaga"

    # Seconds without a heartbeat before the ingest worker counts as down.
    ingest_heartbeat_timeout_s: float = 15.0
    log_level: str = "INFO"
    # Size of the simulated fleet `siaga demo` starts.
    demo_units: int = Field(40, ge=0, le=100000)

    def database_dsn(self) -> str:
        """SQLAlchemy URL: SIAGA_DATABASE_URL, or the embedded cluster's."""
        if self.database_url:
            return self.database_url
        from core.embedded import embedded_database_url

        return embedded_database_url(self)

    def mqtt_dsn(self) -> str:
        """MQTT URL (mqtt://user:password@host:port): SIAGA_MQTT_URL, or the embedded broker's."""
        if self.mqtt_url:
            return self.mqtt_url
        from core.embedded_broker import embedded_mqtt_url

        return embedded_mqtt_url(self)

    @property
    def uses_embedded_db(self) -> bool:
        return not self.database_url

    @property
    def uses_embedded_mqtt(self) -> bool:
        return not self.mqtt_url


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
