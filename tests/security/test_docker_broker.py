"""Docker's broker service run here the way compose runs it (deploy/nats/broker.sh with
deploy/nats/nats.conf and the broker's environment): the units' own accounts that `siaga units
credentials` writes into the shared file are live within seconds, revoked ones are refused, and
a file nats-server refuses never takes the broker (or the services' accounts) down.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.embedded_broker import BROKER_BINARY
from core.settings import PROJECT_ROOT, Settings
from tests.conftest import wait_until
from tests.security.conftest import Tree
from tests.test_compose import (
    BROKER_CONF,
    DOCKERFILE,
    Client,
    _broker_login,
    _compose,
    _free_port,
    _port_open,
)
from tracking.credentials import apply_to_broker, issue_credentials, revoke_credentials

BROKER_SCRIPT = PROJECT_ROOT / "deploy/nats/broker.sh"
# What the script runs besides nats-server; in the nats:alpine image, BusyBox applets.
SCRIPT_TOOLS = ["sh", "awk", "md5sum", "chown", "cp", "dirname", "kill", "mkdir", "mv", "printf"]
SCRIPT_TOOLS += ["sleep", "tail"]


def _sh(env: dict[str, str]) -> str:
    """The shell the PATH names (BusyBox's ash where available, as in the image)."""
    found = shutil.which("sh", path=env["PATH"])
    assert found is not None
    return found


def _alpine_like_path(folder: Path) -> str:
    """A PATH with only BusyBox's applets and nats-server, as in the image; without BusyBox,
    the system's POSIX tools."""
    busybox = shutil.which("busybox")
    if busybox is None:
        return f"{Path(BROKER_BINARY).parent}:/usr/bin:/bin"
    folder.mkdir()
    for tool in SCRIPT_TOOLS:
        (folder / tool).symlink_to(busybox)
    (folder / "nats-server").symlink_to(BROKER_BINARY)
    return str(folder)


class DockerBroker:
    def __init__(self, tmp_path: Path) -> None:
        if not Path(BROKER_BINARY).is_file():
            pytest.skip(f"{BROKER_BINARY} not installed (Debian package nats-server)")
        self.port = _free_port()
        self.services = _compose()["services"]
        self.units = tmp_path / "units" / "units.users"
        self.log = tmp_path / "broker.log"
        conf = tmp_path / "nats.conf"
        # Only the listeners and the store move (free local ports, a temporary folder).
        conf.write_text(
            BROKER_CONF.read_text()
            + f"listen: 127.0.0.1:{_free_port()}\nhttp: 127.0.0.1:{_free_port()}\n"
            + f'jetstream {{\n  store_dir: "{tmp_path / "data"}"\n}}\n'
            + f"mqtt {{\n  host: 127.0.0.1\n  port: {self.port}\n}}\n"
        )
        env = {
            **self.services["broker"]["environment"],
            "PATH": _alpine_like_path(tmp_path / "bin"),
            "SIAGA_NATS_CONF": str(conf),
            "SIAGA_NATS_UNITS": str(self.units),
            "SIAGA_NATS_BUILT": str(tmp_path / "built.conf"),
            "SIAGA_NATS_POLL_S": "0.2",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["sh", str(BROKER_SCRIPT)], env=env, stdout=log, stderr=log, executable=_sh(env)
            )
        wait_until(lambda: _port_open(self.port) or self.process.poll() is not None)
        assert self.process.poll() is None, self.log.read_text()

    def app_settings(self, settings: Settings) -> Settings:
        """The migrate container's settings: compose's broker, the shared units file, the
        topic roots nats.conf's accounts are written for (the settings' defaults)."""
        roots = {
            name: Settings.model_fields[name].default
            for name in ("mqtt_topic_root", "owntracks_topic_root")
        }
        update = {"mqtt_url": "mqtt://broker:1883", "broker_units_file": self.units}
        return settings.model_copy(update={**update, **roots})

    def logs_in(self, username: str, password: str) -> bool:
        client = Client(self.port, username, password)
        client.close()
        return client.result == [True]


@pytest.fixture
def docker_broker(tmp_path: Path) -> Iterator[DockerBroker]:
    broker = DockerBroker(tmp_path)
    try:
        yield broker
    finally:
        if broker.process.poll() is None:
            broker.process.kill()
            broker.process.wait(timeout=20)


def test_units_accounts_are_live_revocable_and_never_break_the_broker(
    docker_broker: DockerBroker, db_session, tree: Tree, settings: Settings
) -> None:
    app = docker_broker.app_settings(settings)
    own, other = tree.unit_call_sign, tree.other_unit_call_sign
    cred, password = issue_credentials(db_session, call_sign=own, issued_by="test")
    assert apply_to_broker(db_session, app) is False  # the broker reloads on its own
    assert cred.username in docker_broker.units.read_text()
    wait_until(lambda: docker_broker.logs_in(cred.username, password), timeout_s=15)

    ingest = Client.of(docker_broker.port, docker_broker.services["ingest"])
    unit = Client(docker_broker.port, cred.username, password)
    try:
        ingest.subscribe("siaga/units/+/location")
        ingest.subscribe("owntracks/#")
        unit.publish(f"siaga/units/{other}/location", b"forged")
        unit.publish(f"siaga/units/{own}/location", b"genuine")
        unit.publish(f"owntracks/unit-{other}/hp", b"forged-app")
        unit.publish(f"owntracks/{cred.username}/hp", b"app")  # the OwnTracks layout
        unit.publish(f"siaga/units/{own}/location", b"marker")
        wait_until(lambda: len(ingest.messages) >= 3, message="the unit's fixes at the ingest")
        assert ingest.messages == [
            (f"siaga/units/{own}/location", b"genuine"),
            (f"owntracks/{cred.username}/hp", b"app"),
            (f"siaga/units/{own}/location", b"marker"),
        ]
    finally:
        unit.close()
        ingest.close()

    revoke_credentials(db_session, call_sign=own)
    apply_to_broker(db_session, app)
    wait_until(lambda: not docker_broker.logs_in(cred.username, password), timeout_s=15)

    # A file nats-server refuses: logged, the running accounts stay.
    docker_broker.units.write_text('{"user": "unit-X", "password": \n')
    wait_until(lambda: "refused" in docker_broker.log.read_text(), timeout_s=15)
    api_user, api_password = _broker_login(docker_broker.services["api"])
    assert docker_broker.process.poll() is None
    assert docker_broker.logs_in(api_user, api_password)

    # docker stop: SIGTERM to the script stops nats-server with it.
    docker_broker.process.send_signal(signal.SIGTERM)
    docker_broker.process.wait(timeout=30)
    wait_until(lambda: not _port_open(docker_broker.port), message="nats-server stopped")


def test_units_file_is_the_migrate_services_only() -> None:
    """Only the admin's tool container writes the units' accounts; the broker reads them."""
    services = _compose()["services"]
    writers = {
        n for n, s in services.items() if "SIAGA_BROKER_UNITS_FILE" in s.get("environment", {})
    }
    assert writers == {"migrate"}
    path = Path(services["migrate"]["environment"]["SIAGA_BROKER_UNITS_FILE"])
    assert f"broker-units:{path.parent}" in services["migrate"]["volumes"]
    assert "broker-units:/etc/nats/units" in services["broker"]["volumes"]
    assert services["broker"]["entrypoint"] == ["/bin/sh", "/etc/nats/broker.sh"]
    assert (
        f"./{BROKER_SCRIPT.relative_to(PROJECT_ROOT)}:/etc/nats/broker.sh:ro"
        in services["broker"]["volumes"]
    )
    # The broker hands the volume to the app image's user, whichever container made it.
    uid = re.search(r"--uid (\d+)", DOCKERFILE.read_text()).group(1)
    assert f"UNITS_OWNER:-{uid}:{uid}}}" in BROKER_SCRIPT.read_text()
    assert re.search(rf"chown siaga:siaga .*{path.parent}\b", DOCKERFILE.read_text())
