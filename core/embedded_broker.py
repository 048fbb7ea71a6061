"""Embedded Mosquitto broker under state_dir/mosquitto (credentials required, persistent)."""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
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
# Platform broker accounts: the service account (API, simulator, tests), the ingest worker and
# dispatch. Their passwords are generated into <account>_password files beside the broker.
SERVICE_ACCOUNTS = {
    "service": MQTT_SERVICE_USER,
    "ingest": "siaga-ingest",
    "dispatch": "siaga-dispatch",
}
# Written by `siaga units credentials` (tracking/credentials.py); appended after the accounts.
UNITS_PASSWD = "units.passwd"
UNITS_ACL = "units.acl"

# Queue limits are set on purpose (Mosquitto's default of 1,000 queued QoS 1 messages per
# client silently drops fixes when an ingest worker falls behind). 10 million fixes is about
# 17 minutes of national traffic (10,000 fixes/s) held for a stopped worker.
# Ingest workers acknowledge a fix only after it is committed (their MQTT 5 Receive Maximum
# bounds what is in flight to them; max_inflight_messages covers v3.1.1 trackers). Persistence
# is a snapshot: a clean stop saves everything, a crash loses at most autosave_interval seconds.
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
autosave_interval 10
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

# Anonymous clients are refused (allow_anonymous false); a user without a block has no access.
SERVICE_ACL = """\
# Written by `siaga services up` / `siaga units credentials`; edits are overwritten.
# Platform service account: API, simulator, tests (every topic root under siaga/).
user {service}
topic readwrite siaga/#
topic read $SYS/#

# Ingest worker: reads what trackers send, publishes nothing.
user {ingest}
topic read {root}/units/+/location
topic read {root}/units/+/ack
topic read {root}/units/+/status
topic read {root}/units/+/link

# Dispatch: sends jobs to units, reads their acknowledgements and status.
user {dispatch}
topic write {root}/units/+/jobs
topic read {root}/units/+/ack
topic read {root}/units/+/status
topic read {root}/units/+/link
"""


def mq_dir(settings: Settings) -> Path:
    return service_dir(settings, "mosquitto", "mosquitto")


def embedded_mqtt_url(settings: Settings, account: str = "service") -> str:
    """URL of the embedded broker with one of the platform's accounts (SERVICE_ACCOUNTS)."""
    password = read_or_create_secret(mq_dir(settings) / f"{account}_password")
    return f"mqtt://{SERVICE_ACCOUNTS[account]}:{password}@127.0.0.1:{settings.mqtt_port}"


def mosquitto_password_hash(password: str, iterations: int = 1000) -> str:
    """A Mosquitto 2 password-file hash ($7$: PBKDF2-HMAC-SHA512, 12-byte salt)."""
    salt = os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def atomic_write(path: Path, content: str) -> None:
    """Replace `path` in one step (temp file in the same folder, fsync, rename), mode 0600.

    The broker never reads a half-written password or ACL file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, content.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.geteuid() == 0:  # the broker drops root and must still read the file
        entry = pwd.getpwnam("mosquitto")
        os.chown(tmp, entry.pw_uid, entry.pw_gid)
    os.replace(tmp, path)


def assemble_broker_auth(settings: Settings) -> None:
    """Write passwd and acl: the platform accounts, then the units' fragments."""
    folder = mq_dir(settings)
    passwd_lines = []
    for account, user in SERVICE_ACCOUNTS.items():
        secret = read_or_create_secret(folder / f"{account}_password")
        (folder / f"{account}_password").chmod(0o600)
        passwd_lines.append(f"{user}:{mosquitto_password_hash(secret)}\n")
    units_passwd = folder / UNITS_PASSWD
    units_acl = folder / UNITS_ACL
    passwd = "".join(passwd_lines) + (units_passwd.read_text() if units_passwd.exists() else "")
    acl = SERVICE_ACL.format(root=settings.mqtt_topic_root, **SERVICE_ACCOUNTS)
    if units_acl.exists():
        acl += "\n" + units_acl.read_text()
    atomic_write(folder / "passwd", passwd)
    atomic_write(folder / "acl", acl)


def reload_broker(settings: Settings) -> bool:
    """Make a running embedded broker re-read its password and ACL files (SIGHUP)."""
    pid = _broker_pid(mq_dir(settings))
    if pid is None:
        return False
    os.kill(pid, signal.SIGHUP)
    return True


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
    assemble_broker_auth(settings)
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
