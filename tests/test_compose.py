"""docker-compose.yml cannot run here (no Docker engine); check it agrees with the code."""

import json
import re

import yaml

from core.embedded_broker import SERVICE_ACCOUNTS, service_users
from core.mqtt import parse_mqtt_url
from core.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
LONG_RUNNING = {"db", "broker", "api", "ingest", "dispatch", "simulator"}


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _expand(value: str) -> str:
    """Resolve ${VAR:-default} the way compose does with nothing set."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_services_and_healthchecks():
    services = _compose()["services"]
    assert LONG_RUNNING | {"migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis:")
    assert services["broker"]["image"].startswith("nats:2.")
    for name in LONG_RUNNING:
        assert "healthcheck" in services[name], name


def test_depends_on_waits_for_health():
    services = _compose()["services"]
    for name, service in services.items():
        for dep, cond in service.get("depends_on", {}).items():
            assert dep in services, (name, dep)
            expected = "service_completed_successfully" if dep == "migrate" else "service_healthy"
            assert cond["condition"] == expected, (name, dep)


def test_environment_names_are_settings_fields():
    fields = set(Settings.model_fields)
    for name, service in _compose()["services"].items():
        env = service.get("environment", {})
        for key in env:
            if key.startswith("SIAGA_") and name not in {"broker"}:
                assert key.removeprefix("SIAGA_").lower() in fields, (name, key)


def test_urls_point_at_the_compose_services_and_credentials_match():
    services = _compose()["services"]
    env = services["api"]["environment"]
    settings = Settings(
        **{
            "database_url": _expand(env["SIAGA_DATABASE_URL"]),
            "mqtt_url": _expand(env["SIAGA_MQTT_URL"]),
        }
    )
    db_url = settings.database_dsn()
    db_env = services["db"]["environment"]
    assert f"{db_env['POSTGRES_USER']}:{_expand(db_env['POSTGRES_PASSWORD'])}@db:5432/" in db_url
    assert db_url.endswith("/" + db_env["POSTGRES_DB"])
    target = parse_mqtt_url(settings.mqtt_dsn())
    assert (target.host, target.port) == ("broker", 1883)


def _broker_users() -> dict[str, str]:
    """User name -> the line of deploy/nats/nats.conf that defines it."""
    conf = (PROJECT_ROOT / "deploy/nats/nats.conf").read_text()
    return dict(re.findall(r'^\s*\{user: "([^"]+)", (.*)$', conf, re.M))


def test_each_service_uses_its_own_broker_account():
    services = _compose()["services"]
    users = _broker_users()
    broker_env = services["broker"]["environment"]
    expected = {"api": "service", "simulator": "service", "ingest": "ingest"}
    for name, account in {**expected, "dispatch": "dispatch"}.items():
        target = parse_mqtt_url(_expand(services[name]["environment"]["SIAGA_MQTT_URL"]))
        assert target.username == SERVICE_ACCOUNTS[account], name
        variable = re.search(r"password: \$(\w+)", users[target.username]).group(1)
        assert target.password == _expand(broker_env[variable]), name


def test_broker_accounts_match_the_embedded_broker():
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


def test_ports_and_volumes_agree():
    doc = _compose()
    services = doc["services"]
    api_env = services["api"]["environment"]
    assert f"127.0.0.1:8000:{api_env['SIAGA_API_PORT']}" in services["api"]["ports"]
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert f"127.0.0.1:{defaults['pg_port']}:5432" in services["db"]["ports"]
    assert f"127.0.0.1:{defaults['mqtt_port']}:1883" in services["broker"]["ports"]
    named = {
        v.split(":")[0]
        for s in services.values()
        for v in s.get("volumes", [])
        if not v.startswith(".")
    }
    assert named <= set(doc["volumes"])
    for mount in services["broker"]["volumes"]:
        if mount.startswith("./"):
            assert (PROJECT_ROOT / mount.split(":")[0]).exists(), mount


def test_broker_config_requires_credentials_and_persists():
    conf = (PROJECT_ROOT / "deploy/nats/nats.conf").read_text()
    assert "no_auth_user" not in conf and "authorization" not in conf
    assert re.search(r"jetstream \{\s*store_dir: \"/data\"", conf)
    assert re.search(r"^mqtt \{[^}]*port: 1883", conf, re.M)
    assert re.search(r"^max_payload: \d+$", conf, re.M)
    services = _compose()["services"]
    assert "brokerdata:/data" in services["broker"]["volumes"]
