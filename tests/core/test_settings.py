import pytest

from core.errors import InvalidInput
from core.mqtt import parse_mqtt_url
from core.settings import Settings


def test_settings_read_siaga_prefix(monkeypatch):
    monkeypatch.setenv("SIAGA_API_PORT", "8123")
    monkeypatch.setenv("SIAGA_DATABASE_URL", "postgresql+psycopg2://u:p@db:5432/x")
    settings = Settings()
    assert settings.api_port == 8123
    assert settings.database_dsn() == "postgresql+psycopg2://u:p@db:5432/x"
    assert not settings.uses_embedded_db


def test_invalid_port_names_the_field(monkeypatch):
    monkeypatch.setenv("SIAGA_API_PORT", "70000")
    with pytest.raises(ValueError, match="api_port"):
        Settings()


def test_parse_mqtt_url_with_credentials():
    target = parse_mqtt_url("mqtt://ingest:s%40cret@broker:1883")
    assert (target.host, target.port, target.username, target.password) == (
        "broker",
        1883,
        "ingest",
        "s@cret",
    )
    assert parse_mqtt_url("mqtts://b").port == 8883


def test_parse_mqtt_url_rejects_other_schemes():
    with pytest.raises(InvalidInput) as err:
        parse_mqtt_url("http://broker:1883")
    assert err.value.field == "SIAGA_MQTT_URL"
