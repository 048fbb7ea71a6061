"""The set-up fails with a clear message when a port is taken."""

import socket

import pytest

from core.embedded import remove_state_dir
from core.embedded_broker import ensure_broker
from core.errors import SetupError
from core.settings import Settings


@pytest.fixture
def busy_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def test_broker_port_taken_gives_clear_error(tmp_path, busy_port):
    settings = Settings(state_dir=tmp_path / "state", mqtt_port=busy_port)
    try:
        with pytest.raises(SetupError, match=f"port {busy_port} is taken.*SIAGA_MQTT_PORT"):
            ensure_broker(settings)
    finally:
        remove_state_dir(settings.state_dir)


def test_embedded_services_are_running(services, base_settings):
    from core.embedded import postgres_status
    from core.embedded_broker import broker_status

    assert postgres_status(base_settings).startswith(("running", "external"))
    assert broker_status(base_settings).startswith(("running", "external"))
