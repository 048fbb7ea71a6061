"""Fault-test helpers: a private broker run by the project's CLI, trackers that record every
PUBACK, ingest workers as processes, and the exactly-once check."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from core.db import make_engine, make_session_factory, session_scope
from core.embedded import remove_state_dir
from core.embedded_broker import embedded_mqtt_url, stop_broker
from core.mqtt import connect, make_client
from core.settings import PROJECT_ROOT, Settings
from tracking.fleet import ensure_fleet
from tracking.jobs import unit_topic


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def broker_env(settings: Settings) -> dict[str, str]:
    """Environment for `siaga ...` commands on a private broker and the test database."""
    return {
        **os.environ,
        "SIAGA_STATE_DIR": str(settings.state_dir),
        "SIAGA_MQTT_PORT": str(settings.mqtt_port),
        "SIAGA_NATS_PORT": str(settings.nats_client_port),
        "SIAGA_NATS_MONITOR_PORT": str(settings.nats_http_port),
        "SIAGA_DATABASE_URL": settings.database_dsn(),
        "SIAGA_MQTT_TOPIC_ROOT": settings.mqtt_topic_root,
        "SIAGA_OWNTRACKS_TOPIC_ROOT": settings.owntracks_topic_root,
        "SIAGA_LOG_LEVEL": "WARNING",
    }


def services_up(settings: Settings) -> None:
    """`siaga services up`, as an operator restarts the broker."""
    argv = [sys.executable, "-m", "core.cli", "services", "up"]
    env = {k: v for k, v in broker_env(settings).items() if k != "SIAGA_MQTT_URL"}
    subprocess.run(argv, env=env, cwd=PROJECT_ROOT, check=True, capture_output=True, timeout=60)


@contextmanager
def private_broker(settings: Settings, state_dir: Path) -> Iterator[Settings]:
    """A broker of its own (state folder, free ports), started with `siaga services up`."""
    own = settings.model_copy(
        update={
            "state_dir": state_dir,
            "mqtt_port": free_port(),
            "nats_port": free_port(),
            "nats_monitor_port": free_port(),
            "mqtt_url": None,
        }
    )
    services_up(own)
    try:
        yield own.model_copy(update={"mqtt_url": embedded_mqtt_url(own)})
    finally:
        stop_broker(own)
        remove_state_dir(state_dir)


def worker_process(settings: Settings, instance: str, partition: str = "0/1") -> subprocess.Popen:
    """`siaga ingest --instance ...` on the settings' broker and database."""
    env = {**broker_env(settings), "SIAGA_MQTT_URL": settings.mqtt_dsn()}
    argv = [sys.executable, "-m", "core.cli", "ingest", "--instance", instance]
    return subprocess.Popen([*argv, "--partition", partition], env=env, cwd=PROJECT_ROOT)


def register_fleet(settings: Settings, count: int, prefix: str) -> dict[str, int]:
    engine = make_engine(settings, pool_size=1)
    with session_scope(make_session_factory(engine)) as session:
        fleet = ensure_fleet(session, count=count, prefix=prefix, home_jurisdiction_id=None)
        signs = [sign for sign, _ in fleet]
        rows = session.execute(
            text("SELECT call_sign, id FROM units WHERE call_sign = ANY(:s)"), {"s": signs}
        )
        ids = {sign: uid for sign, uid in rows}
    engine.dispose()
    return ids


class Tracker:
    """A tracker's connection: QoS 1 fixes, queued by paho while the broker is away and
    flushed on reconnect; every PUBACK is recorded (what the broker promised to keep)."""

    def __init__(self, settings: Settings, signs: list[str]) -> None:
        self.root, self.signs = settings.mqtt_topic_root, signs
        self.client, target, props = make_client(
            settings.mqtt_dsn(), f"tracker-{uuid.uuid4().hex[:8]}", persistent=False
        )
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(min_delay=0.2, max_delay=1)
        # Packet ids are not reused within the few thousand fixes a test sends per tracker.
        self.sent: dict[int, tuple[str, float]] = {}
        self.acked_mids: list[int] = []  # appended by paho's thread (list.append is atomic)
        self.client.on_publish = self._on_publish
        connect(self.client, target, props, persistent=False)
        self.client.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:  # noqa: ANN001
        self.acked_mids.append(mid)

    @property
    def acked(self) -> set[tuple[str, float]]:
        return {self.sent[mid] for mid in list(self.acked_mids)}

    def publish_round(self, fixed_at: float) -> None:
        """One fix per unit of this tracker connection."""
        assert len(self.sent) + len(self.signs) < 65_000
        for i, sign in enumerate(self.signs):
            body = json.dumps({"lon": 116.8 + i * 1e-4, "lat": -1.26, "fixed_at": fixed_at})
            info = self.client.publish(unit_topic(self.root, sign, "location"), body, qos=1)
            self.sent[info.mid] = (sign, fixed_at)

    def pending(self) -> int:
        """Fixes sent (or queued) and not acknowledged yet."""
        return len(self.sent) - len(set(self.acked_mids))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def publish_rounds(trackers: list[Tracker], rounds: range, base: float, pace_s: float) -> None:
    """Each tracker sends a round of fixes every pace_s (the burst goes on through faults)."""
    for seq in rounds:
        for tracker in trackers:
            tracker.publish_round(base + seq)
        time.sleep(pace_s)  # pacing the simulated trackers, not waiting for a result


def stored_keys(engine: Engine, ids: dict[str, int]) -> list[tuple[str, float]]:
    """(call sign, fixed_at) of every stored fix of these units (duplicates kept)."""
    by_id = {uid: sign for sign, uid in ids.items()}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT unit_id, extract(epoch FROM fixed_at) FROM unit_positions "
                "WHERE unit_id = ANY(:ids)"
            ),
            {"ids": list(ids.values())},
        )
        return [(by_id[uid], round(float(at), 3)) for uid, at in rows]


def assert_acked_stored_once(engine: Engine, ids: dict[str, int], trackers: list[Tracker]) -> None:
    acked = {(sign, round(at, 3)) for t in trackers for sign, at in t.acked}
    stored = stored_keys(engine, ids)
    assert len(stored) == len(set(stored)), "a fix was stored twice"
    missing = acked - set(stored)
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged fixes never stored"


def heartbeat_subscribed(engine: Engine, instance: str) -> bool:
    with engine.connect() as conn:
        query = text(
            "SELECT count(*) FROM service_heartbeats WHERE instance = :i "
            "AND (detail->>'subscribed')::boolean AND beat_at > now() - interval '5 s'"
        )
        return bool(conn.execute(query, {"i": instance}).scalar_one())


def wait_stored(engine: Engine, ids: dict[str, int], trackers: list[Tracker], stall_s=20.0) -> None:
    """Wait until every acknowledged fix is stored; fail once no progress is made for stall_s."""
    acked = {(sign, round(at, 3)) for t in trackers for sign, at in t.acked}
    last, last_change = -1, time.monotonic()
    while True:
        count = len(acked & set(stored_keys(engine, ids)))
        if count >= len(acked):
            return
        if count != last:
            last, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            raise AssertionError(f"stored {count} of {len(acked)} acknowledged fixes")
        time.sleep(0.2)
