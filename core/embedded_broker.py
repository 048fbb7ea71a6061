"""Embedded broker: nats-server with its MQTT listener, sessions and QoS 1 messages in JetStream.

Everything lives under state_dir/nats (config, accounts, JetStream store, log). A QoS 1 message
is written to the JetStream file store before the broker sends PUBACK, and persistent sessions
(subscriptions and unacknowledged deliveries) are JetStream streams too, so a `kill -9` of the
broker loses nothing it acknowledged (docs/DESIGN.md, Tracking, has the measurements).
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import time
from pathlib import Path

import bcrypt

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

BROKER_BINARY = "/usr/sbin/nats-server"
BROKER_USER = "nats"  # the Debian package's system user; the server runs as it under root
MQTT_SERVICE_USER = "siaga-service"
# Platform broker accounts, one per kind of process, each granted only the topics its code
# uses (service_users); a process names its own with settings.mqtt_dsn(account). "service" may
# use everything under siaga/: tests, benchmarks and operator tools only, never a deployed
# process (deploy/nats/nats.conf has no such user). Their passwords are generated into
# <account>_password files beside the broker.
SERVICE_ACCOUNTS = {
    "service": MQTT_SERVICE_USER,
    "api": "siaga-api",
    "trackers": "siaga-trackers",
    "simulator": "siaga-simulator",
    "ingest": "siaga-ingest",
    "dispatch": "siaga-dispatch",
}
# Written by `siaga units credentials` (tracking/credentials.py): one user entry per line.
UNITS_USERS = "units.users"
AUTH_FILE = "auth.conf"
# The MQTT listener delivers QoS 1 messages to a session's subscriptions on these internal
# subjects; a user that may subscribe needs them (they are not reachable as MQTT topics).
MQTT_DELIVERY_SUBJECTS = ["$MQTT.sub.>"]
# The ingest workers read their own JetStream stream over NATS (tracking/ingest_stream.py):
# the JetStream API calls of a stream and its pull consumers, acks, and replies to _INBOX.
JETSTREAM_CLIENT_PUBLISH = [
    "$JS.API.INFO",
    *(f"$JS.API.STREAM.{op}.*" for op in ("INFO", "CREATE", "UPDATE")),
    "$JS.API.CONSUMER.INFO.*.*",
    "$JS.API.CONSUMER.CREATE.*.>",
    "$JS.API.CONSUMER.DURABLE.CREATE.*.*",
    "$JS.API.CONSUMER.DELETE.*.*",
    "$JS.API.CONSUMER.MSG.NEXT.*.*",
    "$JS.ACK.>",
]
# ... but never on the broker's own MQTT streams (sessions, QoS 1 deliveries, retained).
MQTT_STREAMS = ["$MQTT_sess", "$MQTT_msgs", "$MQTT_rmsgs", "$MQTT_qos2in", "$MQTT_out"]
JETSTREAM_CLIENT_DENY = [
    subject
    for name in MQTT_STREAMS
    for subject in (
        f"$JS.API.STREAM.*.{name}",
        f"$JS.API.CONSUMER.*.{name}.>",
        f"$JS.API.CONSUMER.*.*.{name}.>",
        f"$JS.API.CONSUMER.*.*.{name}",
        f"$JS.ACK.{name}.>",
    )
]
# A unit of the platform's password hashes (bcrypt is the only hash nats-server reads).
BCRYPT_ROUNDS = 10

# max_ack_pending: QoS 1 messages in flight to one subscription. The ingest worker acknowledges
# a batch only after it is committed, so this must hold several batches; the subscriptions of a
# session share the 65,535 MQTT packet ids (a subscription past that is refused: measured, the
# fourth of 4 x 20,000). ack_wait: an unacknowledged delivery is sent again after this.
# The payload limit refuses a message larger than any tracker report (the connection is closed).
# write_deadline: a client that reads nothing for this long is dropped as a slow consumer; the
# default 10 s dropped ingest workers busy with a batch on this loaded 2-core machine (measured).
BROKER_CONF_TEMPLATE = """\
# Written by `siaga services up`; edits are overwritten.
server_name: siaga
listen: 127.0.0.1:{nats_port}
http: 127.0.0.1:{monitor_port}
pid_file: "{dir}/nats.pid"
log_file: "{dir}/nats.log"
logtime: true
max_payload: {max_payload}
write_deadline: "60s"
jetstream {{
  store_dir: "{dir}/data"
}}
include "{auth}"
mqtt {{
  listen: 127.0.0.1:{mqtt_port}
  ack_wait: "{ack_wait_s}s"
  max_ack_pending: {max_ack_pending}
}}
"""


# One account: MQTT needs JetStream enabled in the account of its users.
ACCOUNTS_TEMPLATE = """\
# Written by `siaga services up` / `siaga units credentials`; edits are overwritten.
accounts {{
  SIAGA {{
    jetstream: enabled
    users: [
{users}
    ]
  }}
}}
"""


def broker_dir(settings: Settings) -> Path:
    return service_dir(settings, "nats", BROKER_USER)


def mqtt_subject(topic: str) -> str:
    """The NATS subject of an MQTT topic or filter (/ -> ., + -> *, # -> >)."""
    return topic.replace("/", ".").replace("+", "*").replace("#", ">")


def embedded_mqtt_url(settings: Settings, account: str = "service") -> str:
    """URL of the embedded broker with one of the platform's accounts (SERVICE_ACCOUNTS)."""
    password = read_or_create_secret(broker_dir(settings) / f"{account}_password")
    return f"mqtt://{SERVICE_ACCOUNTS[account]}:{password}@127.0.0.1:{settings.mqtt_port}"


def broker_password_hash(password: str) -> str:
    """A bcrypt hash, the form nats-server accepts in its users list."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def broker_user(
    username: str,
    password_hash: str,
    publish: list[str],
    subscribe: list[str],
    *,
    jetstream_client: bool = False,
) -> str:
    """One user entry (one line) with its subject permissions (MQTT topics given): MQTT only,
    or with `jetstream_client` also a NATS client of the ingest stream (tracking.ingest_stream)."""
    publish_subjects: list[str] | dict = [mqtt_subject(t) for t in publish]
    subscribe_subjects = [mqtt_subject(t) for t in subscribe] + MQTT_DELIVERY_SUBJECTS
    kinds = ["MQTT"]
    if jetstream_client:
        kinds.append("STANDARD")
        allowed = publish_subjects + JETSTREAM_CLIENT_PUBLISH
        publish_subjects = {"allow": allowed, "deny": JETSTREAM_CLIENT_DENY}
        subscribe_subjects.append("_INBOX.>")
    entry = {
        "user": username,
        "password": password_hash,
        "allowed_connection_types": kinds,
        "permissions": {
            "publish": publish_subjects or ["_siaga_nothing"],
            "subscribe": subscribe_subjects,
        },
    }
    return json.dumps(entry)  # nats-server's config format reads JSON


def service_users(settings: Settings, passwords: dict[str, str]) -> list[str]:
    """The platform accounts (SERVICE_ACCOUNTS), each with the (publish, subscribe) topics its
    process uses; no one but the simulator and the ingest subscribes to anything.

    api: jobs (dispatch/assign.send_jobs) and OwnTracks apps' job notices, the crew page's
    phone fixes and the HTTP trackers' fixes and link state (tracking/http_ingest.py);
    trackers: the HTTP trackers' only; the simulator: what a unit's tracker sends, and its
    jobs; dispatch: jobs it re-sends. The ingest reads the units' reports from its own
    JetStream stream over NATS (tracking/ingest_stream.py; the service account, which tests and
    benchmarks run workers with, may too); over MQTT it only reads the retained /link states
    once for a new consumer.
    """
    units = f"{settings.mqtt_topic_root}/units/+"
    # An MQTT `root/#` also matches `root` itself: nats-server checks both subjects.
    owntracks = [settings.owntracks_topic_root, f"{settings.owntracks_topic_root}/#"]
    http_uplink = [f"{units}/location", f"{units}/link"]
    # A new job's notice to an OwnTracks app (tracking.jobs.notify_owntracks_job).
    owntracks_cmd = f"{settings.owntracks_topic_root}/+/+/cmd"
    tracker_uplink = [f"{units}/{kind}" for kind in ("location", "ack", "status", "link")]
    grants = {
        "service": (["siaga/#"], ["siaga/#"]),
        "api": ([f"{units}/jobs", *http_uplink, owntracks_cmd], []),
        "trackers": (http_uplink, []),
        "simulator": (tracker_uplink, [f"{units}/jobs"]),
        "ingest": ([], [f"{units}/+", f"{units}/location/+", *owntracks]),
        "dispatch": ([f"{units}/jobs"], []),
    }
    return [
        broker_user(
            SERVICE_ACCOUNTS[a],
            broker_password_hash(passwords[a]),
            *grants[a],
            jetstream_client=a in ("service", "ingest"),
        )
        for a in SERVICE_ACCOUNTS
    ]


def atomic_write(path: Path, content: str) -> None:
    """Replace `path` in one step (temp file in the same folder, fsync, rename), mode 0600.

    The broker never reads a half-written account file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, content.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.geteuid() == 0:  # the broker runs as its own user and must still read the file
        entry = pwd.getpwnam(BROKER_USER)
        os.chown(tmp, entry.pw_uid, entry.pw_gid)
    os.replace(tmp, path)


def assemble_broker_auth(settings: Settings) -> None:
    """Write auth.conf: one JetStream-enabled account with the platform's and the units' users."""
    folder = broker_dir(settings)
    passwords = {}
    for account in SERVICE_ACCOUNTS:
        passwords[account] = read_or_create_secret(folder / f"{account}_password")
        (folder / f"{account}_password").chmod(0o600)
    units_file = folder / UNITS_USERS
    lines = service_users(settings, passwords)
    if units_file.exists():
        lines += [line for line in units_file.read_text().splitlines() if line.strip()]
    atomic_write(folder / AUTH_FILE, ACCOUNTS_TEMPLATE.format(users="\n".join(lines)))


def reload_broker(settings: Settings) -> bool:
    """Make a running embedded broker re-read its accounts (SIGHUP); True if one runs."""
    pid = _broker_pid(broker_dir(settings))
    if pid is None:
        return False
    os.kill(pid, signal.SIGHUP)
    return True


def _broker_pid(folder: Path) -> int | None:
    try:
        pid = int((folder / "nats.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def write_broker_files(settings: Settings) -> Path:
    """Write nats.conf and the accounts file; return the config path."""
    folder = broker_dir(settings)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    conf = folder / "nats.conf"
    conf.write_text(
        BROKER_CONF_TEMPLATE.format(
            dir=folder,
            auth=AUTH_FILE,  # relative to the config file
            nats_port=settings.nats_client_port,
            monitor_port=settings.nats_http_port,
            mqtt_port=settings.mqtt_port,
            max_payload=settings.mqtt_max_payload_bytes,
            ack_wait_s=settings.mqtt_ack_wait_s,
            max_ack_pending=settings.mqtt_max_ack_pending,
        )
    )
    assemble_broker_auth(settings)
    chown_tree(folder, BROKER_USER)
    return conf


def _check_ports_free(settings: Settings) -> None:
    for port, name in (
        (settings.mqtt_port, "SIAGA_MQTT_PORT"),
        (settings.nats_client_port, "SIAGA_NATS_PORT"),
        (settings.nats_http_port, "SIAGA_NATS_MONITOR_PORT"),
    ):
        if port_open(port):
            raise SetupError(
                f"port {port} is taken by another process; stop it or set {name} to a free "
                "port (or SIAGA_MQTT_URL to use an existing broker)"
            )


def _spawn(binary: str, conf: Path) -> None:
    """Start the server detached (sh backgrounds it and exits: it is not our child)."""
    argv = [binary, "-c", str(conf)]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", BROKER_USER, "--", *argv]
    stderr = conf.parent / "nats.stderr"
    script = '"$@" </dev/null >/dev/null 2>>"$0" &'
    subprocess.run(["/bin/sh", "-c", script, str(stderr), *argv], check=True)


def ensure_broker(settings: Settings) -> str:
    """Start the embedded nats-server if needed; return its MQTT URL."""
    if not settings.uses_embedded_mqtt:
        return settings.mqtt_dsn()
    binary = require_binary(BROKER_BINARY, "nats-server")
    folder = broker_dir(settings)
    if _broker_pid(folder) is None:
        _check_ports_free(settings)
        conf = write_broker_files(settings)
        check = subprocess.run([binary, "-c", str(conf), "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise SetupError(f"nats-server refused its config: {check.stderr.strip()}")
        _spawn(binary, conf)
    try:
        wait_for_port(settings.mqtt_port, "nats-server (MQTT)")
    except SetupError as exc:
        log_tail = tail(folder / "nats.log") or tail(folder / "nats.stderr")
        raise SetupError(f"{exc.message}\n{log_tail}") from exc
    return embedded_mqtt_url(settings)


def stop_broker(settings: Settings, timeout_s: float = 30.0) -> bool:
    """Stop the embedded broker gracefully (SIGTERM); True if it ran."""
    pid = _broker_pid(broker_dir(settings))
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def kill_broker(settings: Settings) -> int | None:
    """`kill -9` the embedded broker (fault tests and the bench); its pid, or None."""
    pid = _broker_pid(broker_dir(settings))
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
        while pid_alive(pid):
            time.sleep(0.01)
    return pid


def broker_status(settings: Settings) -> str:
    if not settings.uses_embedded_mqtt:
        return "external"
    pid = _broker_pid(broker_dir(settings))
    if pid is None:
        return "stopped"
    return (
        f"running (pid {pid}, MQTT port {settings.mqtt_port}, "
        f"monitor http://127.0.0.1:{settings.nats_http_port}/healthz)"
    )
