"""docker-compose.yml, the Dockerfile and the entrypoints cannot run here (no Docker engine):
read them and check that `docker compose up` gives a usable system.

Compose's own interpolation is reproduced (${VAR}, ${VAR:-default}, ${VAR:?error}, $$) with
the variables of .env.example filled in, the way a user's .env would be.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import click
import paho.mqtt.client as mqtt
import pytest
import typer
import yaml

from core.embedded_broker import BROKER_BINARY, SERVICE_ACCOUNTS, ensure_broker, service_users
from core.errors import InvalidInput, SetupError
from core.settings import PROJECT_ROOT, Settings
from tests.conftest import wait_until
from tracking.credentials import apply_to_broker

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
ENTRYPOINT = PROJECT_ROOT / "deploy/entrypoint.sh"
BROKER_CONF = PROJECT_ROOT / "deploy/nats/nats.conf"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
LONG_RUNNING = {"db", "broker", "api", "trackers", "ingest", "dispatch", "piket", "simulator"}
ONE_SHOT = {"migrate", "demo"}
# The services whose code talks to the broker (settings.mqtt_dsn callers: api/app.py,
# api/tracker_app.py, tracking/worker.py, dispatch/worker.py, tracking/simulator.py) -> their
# account in core/embedded_broker.py SERVICE_ACCOUNTS. migrate, piket and demo use none.
BROKER_CLIENTS = {
    "api": "api",
    "trackers": "trackers",
    "ingest": "ingest",
    "dispatch": "dispatch",
    "simulator": "simulator",
}
# The embedded broker's account of tests, benchmarks and tools: never a deployed service's.
TOOLS_ACCOUNT = "service"
# The MQTT topic trees of the platform, as broker subjects (Settings' defaults).
TOPIC_ROOTS = ("siaga.", "owntracks")
STATE_DIR = "/var/lib/siaga"
VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    """What compose substitutes for `value` given the variables `env` (e.g. from .env)."""

    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.groups()
        if env.get(name):
            return env[name]
        if op == ":-":
            return arg
        if op == ":?":
            raise MissingVariable(f"{name}: {arg}")
        return ""

    return VAR.sub(one, value)


def _example_env() -> dict[str, str]:
    """.env.example's variables, each empty secret given a distinct value as a user would."""
    env = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?([A-Z_][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            name, value = match.groups()
            env[name] = value or f"secret-of-{name.lower()}"
    return env


def _resolve(node: object, env: dict[str, str]) -> object:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_resolve(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _resolve(item, env) for key, item in node.items()}
    return node


@cache
def _raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _compose(env: dict[str, str] | None = None) -> dict:
    """The compose file as `docker compose config` would show it with `env` as .env."""
    return _resolve(_raw(), _example_env() if env is None else env)  # type: ignore[return-value]


def _services() -> dict:
    return _compose()["services"]


def _cli() -> click.Group:
    from core.cli import app

    return typer.main.get_command(app)  # type: ignore[return-value]


def _has_command(words: list[str]) -> bool:
    """`siaga <words...>` names a command of the CLI (options after it are not checked)."""
    group: click.Command = _cli()
    for word in words:
        if word.startswith("-") or not isinstance(group, click.Group):
            break
        if word not in group.commands:
            return False
        group = group.commands[word]
    return True


def _siaga_commands(command: list[str]) -> list[list[str]]:
    """The siaga invocations in a service command (a list, or `sh -c "a && b"`)."""
    if command[:2] == ["sh", "-c"]:
        return [part.split() for part in command[2].split("&&")]
    return [command]


def test_services_and_healthchecks() -> None:
    services = _services()
    assert LONG_RUNNING | ONE_SHOT <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis:")
    assert services["broker"]["image"].startswith("nats:2.")
    for name in LONG_RUNNING:
        assert "healthcheck" in services[name], name
    for name in ONE_SHOT:
        assert services[name]["restart"] == "no", name


def test_depends_on_waits_for_health_or_completion() -> None:
    services = _services()
    for name, service in services.items():
        for dep, cond in service.get("depends_on", {}).items():
            assert dep in services, (name, dep)
            expected = "service_completed_successfully" if dep in ONE_SHOT else "service_healthy"
            assert cond["condition"] == expected, (name, dep)
    for name in LONG_RUNNING - {"db", "broker", "simulator"}:
        assert "migrate" in services[name]["depends_on"], name
    assert "demo" in services["simulator"]["depends_on"]


def test_every_command_is_a_siaga_command() -> None:
    for name, service in _services().items():
        command = service.get("command")
        if not command or name == "broker":
            continue
        for words in _siaga_commands(command):
            assert words[0] == "siaga" and _has_command(words[1:]), (name, words)
        test = service["healthcheck"]["test"] if "healthcheck" in service else []
        if test[:2] == ["CMD", "siaga"]:
            assert _has_command(test[2:]), (name, test)


def test_environment_names_are_settings_fields() -> None:
    fields = set(Settings.model_fields)
    for name, service in _services().items():
        for key in service.get("environment", {}):
            if key.startswith("SIAGA_") and name != "broker":
                assert key.removeprefix("SIAGA_").lower() in fields, (name, key)


def _secret_names() -> set[str]:
    return set(re.findall(r"\$\{(\w*(?:PASSWORD|SECRET)\w*)", COMPOSE.read_text()))


def test_secrets_come_from_env_and_are_documented() -> None:
    text = COMPOSE.read_text()
    names = _secret_names()
    assert {"SIAGA_DB_PASSWORD", "SIAGA_AUTH_SECRET"} <= names
    for name in names:
        # Required: no default anyone could guess; compose stops with the variable's name.
        assert not re.search(rf"\$\{{{name}:-", text), name
        assert re.search(rf"\$\{{{name}:\?[^}}]+\}}", text), name
        assert re.search(rf"^{name}=$", ENV_EXAMPLE.read_text(), re.M), name
    for name in names:
        env = {k: v for k, v in _example_env().items() if k != name}
        with pytest.raises(MissingVariable, match=name):
            _compose(env)


def test_database_credentials_agree() -> None:
    services = _services()
    db_env = services["db"]["environment"]
    for name, service in services.items():
        url = service.get("environment", {}).get("SIAGA_DATABASE_URL")
        if url is None:
            continue
        parts = urlsplit(url)
        assert (parts.hostname, parts.port) == ("db", 5432), name
        assert (parts.username, parts.password) == (
            db_env["POSTGRES_USER"],
            db_env["POSTGRES_PASSWORD"],
        ), name
        assert parts.path == "/" + db_env["POSTGRES_DB"], name
    assert db_env["POSTGRES_PASSWORD"] == "secret-of-siaga_db_password"


def _broker_users() -> dict[str, dict]:
    """User name -> its entry in deploy/nats/nats.conf (one JSON line each; the password, a
    `$VARIABLE` that nats-server substitutes, is given as the variable's name)."""
    users = {}
    for line in BROKER_CONF.read_text().splitlines():
        if line.strip().startswith('{"user":'):
            entry = json.loads(re.sub(r'"password": \$(\w+)', r'"password": "\1"', line))
            users[entry["user"]] = entry
    return users


# The broker's listeners inside the compose network, by URL scheme (SIAGA_MQTT_URL; the
# ingest's SIAGA_NATS_URL reads JetStream with the same account).
BROKER_LISTENERS = {"SIAGA_MQTT_URL": ("mqtt", 1883), "SIAGA_NATS_URL": ("nats", 4222)}


def _broker_login(service: dict) -> tuple[str, str] | None:
    """(user, password) a service's settings log into the broker with, or None."""
    env = service.get("environment", {})
    logins = set()
    for variable, (scheme, port) in BROKER_LISTENERS.items():
        if variable in env:
            target = urlsplit(env[variable])
            assert (target.scheme, target.hostname, target.port) == (scheme, "broker", port)
            logins.add((target.username, target.password))
    assert len(logins) <= 1, logins  # one account per service, whichever the listener
    return logins.pop() if logins else None


def _embedded_users() -> dict[str, dict]:
    """The embedded broker's platform accounts as core/embedded_broker.py writes them."""
    passwords = {account: "x" for account in SERVICE_ACCOUNTS}
    entries = [json.loads(line) for line in service_users(Settings(), passwords)]
    return {entry["user"]: entry for entry in entries}


def test_each_service_uses_its_own_broker_account() -> None:
    services = _services()
    users = _broker_users()
    broker_env = services["broker"]["environment"]
    for name, account in BROKER_CLIENTS.items():
        username, password = _broker_login(services[name])
        assert username == SERVICE_ACCOUNTS[account], name
        # The password the service sends is the one the broker reads for that account
        # (quoted for nats-server's parser, see test_broker_accepts_each_service_alone).
        assert broker_env[users[username]["password"]] == f'"{password}"', name
        assert password == f"secret-of-{users[username]['password'].lower()}", name


def test_no_two_services_share_a_broker_account() -> None:
    services = _services()
    logins = {name: _broker_login(s) for name, s in services.items() if name != "broker"}
    used = [login[0] for login in logins.values() if login is not None]
    assert len(used) == len(set(used)), used
    # Every account of nats.conf is used, by exactly one service, and has its own password.
    users = _broker_users()
    assert sorted(used) == sorted(users)
    variables = [entry["password"] for entry in users.values()]
    assert len(variables) == len(set(variables)), variables
    broker_env = services["broker"]["environment"]
    assert set(broker_env) == set(variables)
    assert len(set(broker_env.values())) == len(broker_env)


def test_services_without_broker_traffic_get_no_broker_credentials() -> None:
    """migrate, piket and demo never connect: no URL, no broker password in their settings."""
    services = _services()
    secrets = {v.strip('"') for v in services["broker"]["environment"].values()}
    raw = _raw()["services"]
    for name, service in services.items():
        if name in BROKER_CLIENTS or name == "broker":
            continue
        env = service.get("environment", {})
        assert not any(k.startswith(("SIAGA_MQTT", "SIAGA_NATS")) for k in env), name
        assert not any(s in str(v) for v in env.values() for s in secrets), name
        assert "MQTT" not in json.dumps(raw[name]), name
    assert {"migrate", "piket", "demo"} <= set(services) - set(BROKER_CLIENTS)


def test_broker_accounts_match_the_embedded_broker() -> None:
    """Each deployed account has exactly the permissions core/embedded_broker.py gives the
    same process, and every embedded account but the tools' one is deployed."""
    users, embedded = _broker_users(), _embedded_users()
    expected = {SERVICE_ACCOUNTS[a] for a in SERVICE_ACCOUNTS if a != TOOLS_ACCOUNT}
    assert set(users) == expected
    assert SERVICE_ACCOUNTS[TOOLS_ACCOUNT] not in users
    for user, entry in users.items():
        for key in ("allowed_connection_types", "permissions"):
            assert entry[key] == embedded[user][key], (user, key)
    # The narrowest grants the code needs: only the simulator and the ingest subscribe, only
    # the API and dispatch send jobs, and no one publishes over a whole topic tree.
    grants = {u: {k: _allowed(g) for k, g in e["permissions"].items()} for u, e in users.items()}
    subscribers = {u for u, g in grants.items() if g["subscribe"] != ["$MQTT.sub.>"]}
    assert subscribers == {SERVICE_ACCOUNTS["simulator"], SERVICE_ACCOUNTS["ingest"]}
    job_senders = {u for u, g in grants.items() if "siaga.units.*.jobs" in g["publish"]}
    assert job_senders == {SERVICE_ACCOUNTS["api"], SERVICE_ACCOUNTS["dispatch"]}
    topics = [s for g in grants.values() for s in g["publish"] if s.startswith(TOPIC_ROOTS)]
    assert topics and not any(">" in subject for subject in topics), topics


def _allowed(grant: list[str] | dict) -> list[str]:
    """The subjects a permission allows (nats-server takes a list or {allow, deny})."""
    return grant["allow"] if isinstance(grant, dict) else grant


def _broker_env(env: dict[str, str] | None = None) -> dict[str, str]:
    return _compose(env)["services"]["broker"]["environment"]


def _nats_server() -> str:
    if not Path(BROKER_BINARY).is_file():
        pytest.skip(f"{BROKER_BINARY} not installed (Debian package nats-server)")
    return BROKER_BINARY


def test_nats_server_accepts_the_broker_config() -> None:
    """`nats-server -t` with the broker service's environment; without one password it refuses."""
    binary = _nats_server()
    check = [binary, "-c", str(BROKER_CONF), "-t"]
    run = subprocess.run(check, env=_broker_env(), capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    env = dict(_broker_env())
    del env["SIAGA_MQTT_TRACKERS_PASSWORD"]
    run = subprocess.run(check, env=env, capture_output=True, text=True, timeout=30)
    assert run.returncode != 0 and "SIAGA_MQTT_TRACKERS_PASSWORD" in run.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def compose_broker(tmp_path: Path) -> Iterator[tuple[int, dict]]:
    """nats-server running deploy/nats/nats.conf as the broker service would, on free local
    ports (a wrapper config overrides only the listeners and the store), with passwords that
    nats-server would misread unquoted: digits only, a leading "-", a leading digit."""
    binary = _nats_server()
    odd = ["4711", "-Zq9_x", "1e5x", "-1", "8-8_a"]
    env = _example_env()
    for name, value in zip(sorted(n for n in env if "MQTT" in n), odd, strict=False):
        env[name] = value
    services = _compose(env)["services"]
    shutil.copy(BROKER_CONF, tmp_path / "nats.conf")
    port = _free_port()
    (tmp_path / "local.conf").write_text(
        'include "nats.conf"\n'
        f"listen: 127.0.0.1:{_free_port()}\nhttp: 127.0.0.1:{_free_port()}\n"
        f'jetstream {{\n  store_dir: "{tmp_path / "data"}"\n}}\n'
        f"mqtt {{\n  host: 127.0.0.1\n  port: {port}\n}}\n"
    )
    server = subprocess.Popen(
        [binary, "-c", str(tmp_path / "local.conf")],
        env=services["broker"]["environment"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: _port_open(port) or server.poll() is not None, message="broker up")
        assert server.poll() is None, server.stderr.read().decode()  # type: ignore[union-attr]
        yield port, services
    finally:
        server.terminate()
        server.wait(timeout=20)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Client:
    """A paho 3.1.1 client logged in with a compose service's SIAGA_MQTT_URL (or a given user)."""

    def __init__(self, port: int, username: str, password: str) -> None:
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"compose-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
        )
        self.client.username_pw_set(username, password)
        self.result: list[bool] = []
        self.messages: list[tuple[str, bytes]] = []
        self.subacks: list[int] = []
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self.subacks.append(mid)
        self.client.on_connect = lambda c, u, f, rc, p: self.result.append(not rc.is_failure)
        self.client.on_connect_fail = lambda c, u: self.result.append(False)
        self.client.on_message = lambda c, u, m: self.messages.append((m.topic, m.payload))
        self.client.connect_async("127.0.0.1", port)
        self.client.loop_start()
        wait_until(lambda: self.result, message=f"CONNACK for {username}")

    @classmethod
    def of(cls, port: int, service: dict) -> Client:
        username, password = _broker_login(service)
        return cls(port, username, password)

    def subscribe(self, topic: str) -> None:
        mid = self.client.subscribe(topic, qos=1)[1]
        wait_until(lambda: mid in self.subacks, message=f"SUBACK for {topic}")

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_broker_accepts_each_service_alone(compose_broker: tuple[int, dict]) -> None:
    """Each service logs in with its own URL; no one logs in with another's password; a job
    the API sends reaches the simulated unit, one the trackers' account sends does not."""
    port, services = compose_broker
    mqtt_clients = [n for n in BROKER_CLIENTS if "SIAGA_MQTT_URL" in services[n]["environment"]]
    clients = {name: Client.of(port, services[name]) for name in mqtt_clients}
    try:
        assert {name: c.result for name, c in clients.items()} == {n: [True] for n in clients}
        api_password = _broker_login(services["api"])[1]
        intruder = Client(port, SERVICE_ACCOUNTS["dispatch"], api_password)
        intruder.close()
        assert intruder.result == [False]
        simulator = clients["simulator"]
        simulator.subscribe("siaga/units/P1/jobs")
        clients["trackers"].publish("siaga/units/P1/jobs", b"forged")
        clients["api"].publish("siaga/units/P1/jobs", b"job")
        wait_until(lambda: simulator.messages, message="job at the simulator")
        clients["dispatch"].publish("siaga/units/P1/jobs", b"resent")
        wait_until(lambda: len(simulator.messages) >= 2, message="second job")
        assert simulator.messages == [
            ("siaga/units/P1/jobs", b"job"),
            ("siaga/units/P1/jobs", b"resent"),
        ]
    finally:
        for client in clients.values():
            client.close()


def test_first_admin_is_created_by_the_migrate_service() -> None:
    migrate = _services()["migrate"]
    steps = _siaga_commands(migrate["command"])
    assert steps[0][:3] == ["siaga", "db", "upgrade"]
    assert ["siaga", "users", "bootstrap"] in [step[:3] for step in steps]
    # tests/api/test_bootstrap_admin.py: one admin, password printed on the first run only.


def test_state_is_writable_by_the_container_user() -> None:
    dockerfile = DOCKERFILE.read_text()
    assert re.search(rf"SIAGA_STATE_DIR={STATE_DIR}\b", dockerfile)
    user = re.findall(r"^USER (\S+)$", dockerfile, re.M)[-1]
    assert user != "root"
    assert re.search(rf"chown {user}:{user} {STATE_DIR}", dockerfile)
    # The ownership must be set before the volume first mounts: a named volume copies it.
    doc = _compose()
    for name, service in doc["services"].items():
        if name in {"db", "broker"}:
            continue
        assert f"siaga-state:{STATE_DIR}" in service["volumes"], name
        assert service["environment"]["SIAGA_STATE_DIR"] == STATE_DIR, name
    assert "siaga-state" in doc["volumes"]
    # The API signs tokens with the .env secret, never a file it would have to write.
    assert _services()["api"]["environment"]["SIAGA_AUTH_SECRET"] == "secret-of-siaga_auth_secret"
    entrypoint = ENTRYPOINT.read_text()
    assert 'exec "$@"' in entrypoint and "not writable" in entrypoint
    assert re.search(r'^ENTRYPOINT \["siaga-entrypoint"\]$', dockerfile, re.M)
    assert "deploy/entrypoint.sh /usr/local/bin/siaga-entrypoint" in dockerfile


def test_image_holds_every_package() -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = set(re.findall(r"^COPY (\w+) \1$", DOCKERFILE.read_text(), re.M))
    assert packages <= copied, packages - copied
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert not any(item.startswith(("data", "migrations")) for item in ignored)
    # The secrets never enter the image (nor git).
    assert ".env" in ignored
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text().split()


def test_demo_profile_loads_the_demo_and_drives_the_fleet() -> None:
    services = _services()
    demo, simulator = services["demo"], services["simulator"]
    assert demo["profiles"] == ["demo"] == simulator["profiles"]
    assert demo["command"] == ["siaga", "demo-data"]
    assert (PROJECT_ROOT / "data/demo").is_dir() and "COPY data data" in DOCKERFILE.read_text()
    assert simulator["command"][-1] == demo["environment"]["SIAGA_DEMO_UNITS"] == "40"
    # Without the profile: the platform itself, usable with the first administrator.
    for name in (LONG_RUNNING | {"migrate"}) - {"simulator"}:
        assert "profiles" not in services[name], name


def test_ports_and_volumes_agree() -> None:
    doc = _compose()
    services = doc["services"]
    api_env = services["api"]["environment"]
    assert api_env["SIAGA_API_HOST"] == "0.0.0.0"
    assert f"127.0.0.1:8000:{api_env['SIAGA_API_PORT']}" in services["api"]["ports"]
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert f"127.0.0.1:{defaults['pg_port']}:5432" in services["db"]["ports"]
    named = {
        v.split(":")[0]
        for s in services.values()
        for v in s.get("volumes", [])
        if not v.startswith(".")
    }
    assert named <= set(doc["volumes"])
    for service in services.values():
        for mount in service.get("volumes", []):
            if mount.startswith("./"):
                assert (PROJECT_ROOT / mount.split(":")[0]).exists(), mount


def test_broker_config_requires_credentials_and_persists() -> None:
    conf = BROKER_CONF.read_text()
    assert "no_auth_user" not in conf and "authorization" not in conf
    assert re.search(r"jetstream \{\s*store_dir: \"/data\"", conf)
    assert re.search(r"^mqtt \{[^}]*port: 1883", conf, re.M)
    assert re.search(r"^max_payload: \d+$", conf, re.M)
    assert "brokerdata:/data" in _services()["broker"]["volumes"]


def test_interpolation_matches_compose() -> None:
    env = {"A": "x"}
    assert interpolate("${A}-${B:-d}-$${A}", env) == "x-d-${A}"
    with pytest.raises(MissingVariable, match="B: set B"):
        interpolate("${B:?set B}", env)


def _run_entrypoint(tmp_path: Path, service: dict) -> subprocess.CompletedProcess:
    """deploy/entrypoint.sh with a service's command and environment; `siaga` itself is a
    stand-in that only says it ran (the image's real one needs the whole compose set)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "siaga").write_text('#!/bin/sh\necho "ran siaga $*"\n')
    (bin_dir / "siaga").chmod(0o755)
    env = {**service["environment"], "SIAGA_STATE_DIR": str(tmp_path / "state")}
    env["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    argv = ["sh", str(ENTRYPOINT), *service["command"]]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)


def test_entrypoint_wants_a_broker_url_exactly_where_the_code_connects(tmp_path: Path) -> None:
    for name, service in _services().items():
        if name in {"db", "broker"}:
            continue
        run = _run_entrypoint(tmp_path, service)
        assert run.returncode == 0 and "ran siaga" in run.stdout, (name, run.stderr)
        without = {**service, "environment": dict(service["environment"])}
        without["environment"].pop("SIAGA_MQTT_URL", None)
        run = _run_entrypoint(tmp_path, without)
        if name in BROKER_CLIENTS and "SIAGA_MQTT_URL" in service["environment"]:
            assert run.returncode != 0 and "SIAGA_MQTT_URL" in run.stderr, name
        else:
            assert run.returncode == 0, (name, run.stderr)


def test_trackers_service_serves_the_http_trackers() -> None:
    """`siaga trackers-http` (OsmAnd / Traccar Client and Traccar forwarding) on port 5055."""
    services = _services()
    trackers = services["trackers"]
    env = trackers["environment"]
    assert trackers["command"] == ["siaga", "trackers-http"]
    assert env["SIAGA_TRACKERS_HTTP_HOST"] == "0.0.0.0"
    assert f"5055:{env['SIAGA_TRACKERS_HTTP_PORT']}" in trackers["ports"]
    assert f"127.0.0.1:{env['SIAGA_TRACKERS_HTTP_PORT']}/health" in str(trackers["healthcheck"])
    # The forwarding secret comes from .env (required: an empty one would refuse Traccar).
    for name in ("trackers", "api"):
        secret = services[name]["environment"]["SIAGA_TRACCAR_FORWARD_SECRET"]
        assert secret == "secret-of-siaga_traccar_forward_secret", name
    assert set(trackers["depends_on"]) == {"migrate", "db", "broker"}
    defaults = Settings.model_fields
    assert defaults["trackers_http_port"].default == 5055


def _image_env() -> dict[str, str]:
    """The SIAGA_* variables the Dockerfile's ENV sets in every container."""
    block = re.search(r"^ENV ((?:.*\\\n)*.*)$", DOCKERFILE.read_text(), re.M).group(1)
    return dict(re.findall(r"(SIAGA_\w+)=(\S+)", block))


def _container_settings(service: dict) -> Settings:
    """The Settings a container of `service` builds: the image's ENV, then compose's."""
    env = {**_image_env(), **service["environment"]}
    fields = {k.removeprefix("SIAGA_").lower(): v for k, v in env.items() if k.startswith("SIAGA_")}
    return Settings(**{k: v for k, v in fields.items() if k in Settings.model_fields})


def test_containers_never_fall_back_to_embedded_services() -> None:
    """Without a broker URL a container has no broker: asking for one names the setting
    (never quietly an embedded broker's URL, nor unit accounts written to files nobody reads:
    only migrate writes them, to the file the broker service reads, test_docker_broker.py)."""
    assert _image_env()["SIAGA_EMBEDDED_SERVICES"] == "false"
    for name, service in _services().items():
        if name in {"db", "broker"}:
            continue
        settings = _container_settings(service)
        assert not settings.uses_embedded_db and not settings.uses_embedded_mqtt, name
        assert settings.database_dsn() == service["environment"]["SIAGA_DATABASE_URL"], name
        if name in BROKER_CLIENTS:
            assert settings.mqtt_dsn() == service["environment"]["SIAGA_MQTT_URL"], name
            continue
        with pytest.raises(SetupError, match="SIAGA_MQTT_URL"):
            settings.mqtt_dsn()
        with pytest.raises(SetupError, match="SIAGA_MQTT_URL"):
            ensure_broker(settings)
        if settings.broker_units_file is not None:
            continue  # migrate: writes the units' accounts for the broker service
        with pytest.raises(InvalidInput, match="SIAGA_MQTT_URL"):
            apply_to_broker(None, settings)  # type: ignore[arg-type]  # refused before any query
