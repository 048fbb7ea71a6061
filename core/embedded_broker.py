"""Embedded Mosquitto broker under state_dir/mosquitto (credentials required, persistent)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from core.embedded import (
    chown_tree,
    pid_alive,
    port_open,
    read_or_create_secret,
    require_binary,
    service_dir,
    tail,
    wait_for_port,
)
from core.errors import SetupError
from core.settings import Settings

MQTT_SERVICE_USER = "siaga-service"

# Queue limits are set on purpose (Mosquitto's default of 1,000 queued QoS 1 messages per
# client silently drops fixes when an ingest worker falls behind). 10 million fixes is about
# 17 minutes of national traffic (10,000 fixes/s) held for a stopped worker.
BROKER_CONF_TEMPLATE = """\
# Written by `siaga services up`; edits are overwritten.
pid_file {dir}/mosquitto.pid
log_dest file {dir}/mosquitto.log
log_type error
log_type warning
log_type notice
log_timestamp_format %Y-%m-%dT%H:%M:%S
persistence true
persistence_location {dir}/data/
autosave_interval 30
persistent_client_expiration 14d
max_queued_messages 10000000
max_queued_bytes 0
max_inflight_messages 1000
per_listener_settings false
allow_anonymous false
password_file {dir}/passwd
acl_file {dir}/acl
listener {port} 127.0.0.1
"""

SERVICE_ACL = """\
# Platform service account: ingest, dispatch, simulator.
user {user}
topic readwrite siaga/#
topic read $SYS/#
"""


def mq_dir(settings: Settings) -> Path:
    return service_dir(settings, "mosquitto", "mosquitto")


def embedded_mqtt_url(settings: Settings) -> str:
    """URL of the embedded broker with the platform's service account."""
    password = read_or_create_secret(mq_dir(settings) / "service_password")
    return f"mqtt://{MQTT_SERVICE_USER}:{password}@127.0.0.1:{settings.mqtt_port}"


def _broker_pid(folder: Path) -> int | None:
    pidfile = folder / "mosquitto.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def write_broker_files(settings: Settings) -> Path:
    """Write mosquitto.conf, the password file and the ACL; return the config path."""
    folder = mq_dir(settings)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    conf = folder / "mosquitto.conf"
    conf.write_text(BROKER_CONF_TEMPLATE.format(dir=folder, port=settings.mqtt_port))
    password = read_or_create_secret(folder / "service_password")
    passwd = folder / "passwd"
    if not passwd.exists() or MQTT_SERVICE_USER not in passwd.read_text():
        tool = require_binary("mosquitto_passwd", "mosquitto")
        tmp = folder / "passwd.tmp"
        result = subprocess.run(
            [tool, "-b", "-c", str(tmp), MQTT_SERVICE_USER, password],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SetupError(f"mosquitto_passwd failed: {result.stderr.strip()}")
        tmp.replace(passwd)
    acl = folder / "acl"
    if not acl.exists():
        acl.write_text(SERVICE_ACL.format(user=MQTT_SERVICE_USER))
    for path in (passwd, acl, folder / "service_password"):
        path.chmod(0o600)
    chown_tree(folder, "mosquitto")
    return conf


def ensure_broker(settings: Settings) -> str:
    """Start the embedded Mosquitto if needed; return its MQTT URL."""
    if not settings.uses_embedded_mqtt:
        return settings.mqtt_dsn()
    binary = require_binary("/usr/sbin/mosquitto", "mosquitto")
    folder = mq_dir(settings)
    if _broker_pid(folder) is None:
        if port_open(settings.mqtt_port):
            raise SetupError(
                f"port {settings.mqtt_port} is taken by another process; stop it or set "
                "SIAGA_MQTT_PORT to a free port (or SIAGA_MQTT_URL to use an existing broker)"
            )
        conf = write_broker_files(settings)
        result = subprocess.run([binary, "-c", str(conf), "-d"], capture_output=True, text=True)
        if result.returncode != 0:
            log_tail = tail(folder / "mosquitto.log")
            raise SetupError(f"Mosquitto did not start: {result.stderr.strip()}\n{log_tail}")
    wait_for_port(settings.mqtt_port, "Mosquitto")
    return embedded_mqtt_url(settings)


def stop_broker(settings: Settings, timeout_s: float = 30.0) -> bool:
    """Stop the embedded broker gracefully (it saves its persistence file); True if it ran."""
    folder = mq_dir(settings)
    pid = _broker_pid(folder)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def broker_status(settings: Settings) -> str:
    if not settings.uses_embedded_mqtt:
        return "external"
    pid = _broker_pid(mq_dir(settings))
    return f"running (pid {pid}, port {settings.mqtt_port})" if pid else "stopped"
