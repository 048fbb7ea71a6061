"""docker-compose.yml, the Dockerfile and the entrypoints cannot run here (no Docker engine):
read them and check that `docker compose up` gives a usable system.

Compose's own interpolation is reproduced (${VAR}, ${VAR:-default}, ${VAR:?error}, $$) with
the variables of .env.example filled in, the way a user's .env would be.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from urllib.parse import urlsplit

import click
import pytest
import typer
import yaml

from core.embedded_broker import SERVICE_ACCOUNTS, service_users
from core.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
ENTRYPOINT = PROJECT_ROOT / "deploy/entrypoint.sh"
BROKER_CONF = PROJECT_ROOT / "deploy/nats/nats.conf"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
LONG_RUNNING = {"db", "broker", "api", "ingest", "dispatch", "piket", "simulator"}
ONE_SHOT = {"migrate", "demo"}
# Services that talk to the broker -> their account (core/embedded_broker.py SERVICE_ACCOUNTS).
BROKER_CLIENTS = {
    "api": "service",
    "migrate": "service",
    "demo": "service",
    "simulator": "service",
    "ingest": "ingest",
    "dispatch": "dispatch",
    "piket": "dispatch",
}
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


def _broker_users() -> dict[str, str]:
    """User name -> the line of deploy/nats/nats.conf that defines it."""
    return dict(re.findall(r'^\s*\{user: "([^"]+)", (.*)$', BROKER_CONF.read_text(), re.M))


def test_each_service_uses_its_broker_account() -> None:
    """Each worker has its own account; the API and its helpers share the service account."""
    services = _services()
    users = _broker_users()
    broker_env = services["broker"]["environment"]
    for name, account in BROKER_CLIENTS.items():
        target = urlsplit(services[name]["environment"]["SIAGA_MQTT_URL"])
        assert (target.hostname, target.port) == ("broker", 1883), name
        assert target.username == SERVICE_ACCOUNTS[account], name
        variable = re.search(r"password: \$(\w+)", users[target.username]).group(1)
        # The password the service sends is the one the broker reads for that account.
        assert target.password == broker_env[variable], name
    # The ingest worker may publish nothing.
    assert 'publish: ["_siaga_nothing"]' in users[SERVICE_ACCOUNTS["ingest"]]


def test_broker_accounts_match_the_embedded_broker() -> None:
    """Same users and subject permissions as core/embedded_broker.py gives its own broker."""
    users = _broker_users()
    assert set(users) == set(SERVICE_ACCOUNTS.values())
    embedded = [
        json.loads(line) for line in service_users(Settings(), {a: "x" for a in SERVICE_ACCOUNTS})
    ]
    for entry in embedded:
        line = users[entry["user"]]
        assert '"MQTT"' in line
        for kind in ("publish", "subscribe"):
            granted = re.search(rf"{kind}: \[([^\]]*)\]", line).group(1)
            assert json.loads(f"[{granted}]") == entry["permissions"][kind], (entry["user"], kind)


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
