"""Broker `kill -9` mid-burst for bench_ingest: acknowledged fixes lost and recovery time.

Trackers (several connections) publish QoS 1 and record every PUBACK; the broker, a private
one on its own state folder and ports, is killed with SIGKILL mid-burst and started again;
paho queues the trackers' fixes meanwhile and flushes them on reconnect; the ingest workers
reconnect on their own. Lost = acknowledged but never stored; recovery = broker start to every
acknowledged fix stored.
"""

from __future__ import annotations

import json
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from core.embedded import remove_state_dir
from core.embedded_broker import embedded_mqtt_url, ensure_broker, kill_broker, stop_broker
from core.mqtt import connect, make_client
from core.settings import Settings
from tracking.jobs import unit_topic


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_broker_settings(settings: Settings, state_dir: Path) -> Settings:
    """Settings for a broker of its own (no SIAGA_MQTT_URL: the embedded one is started)."""
    return settings.model_copy(
        update={
            "state_dir": state_dir,
            "mqtt_port": free_port(),
            "nats_port": free_port(),
            "nats_monitor_port": free_port(),
            "mqtt_url": None,
        }
    )


class Tracker:
    """One tracker connection publishing QoS 1 fixes and recording the PUBACKs."""

    def __init__(self, url: str, root: str, signs: list[str]) -> None:
        self.root, self.signs = root, signs
        client_id = f"bench-tracker-{uuid.uuid4().hex[:8]}"
        self.client, target, props = make_client(url, client_id, persistent=False)
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(min_delay=0.2, max_delay=1)
        self.sent: dict[int, tuple[str, float]] = {}
        self.acked_mids: list[int] = []  # paho's thread appends (atomic)
        self.client.on_publish = lambda c, u, mid, rc, p: self.acked_mids.append(mid)
        connect(self.client, target, props, persistent=False)
        self.client.loop_start()

    def publish_round(self, fixed_at: float) -> None:
        for i, sign in enumerate(self.signs):
            body = json.dumps({"lon": 116.8 + i * 1e-4, "lat": -1.26, "fixed_at": fixed_at})
            info = self.client.publish(unit_topic(self.root, sign, "location"), body, qos=1)
            self.sent[info.mid] = (sign, fixed_at)

    def acked(self) -> set[tuple[str, float]]:
        return {self.sent[mid] for mid in list(self.acked_mids)}

    def pending(self) -> int:
        return len(self.sent) - len(set(self.acked_mids))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def stored(engine: Engine, ids: dict[str, int], since: float) -> set[tuple[str, float]]:
    by_id = {uid: sign for sign, uid in ids.items()}
    query = text(
        "SELECT unit_id, extract(epoch FROM fixed_at)::float8 FROM unit_positions "
        "WHERE unit_id = ANY(:ids) AND fixed_at >= to_timestamp(:since)"
    )
    with engine.connect() as conn:
        rows = conn.execute(query, {"ids": list(ids.values()), "since": since - 1e-3})
        return {(by_id[uid], round(at, 3)) for uid, at in rows}


def wait_for(predicate: Callable[[], object], timeout_s: float, interval_s: float = 0.05) -> bool:
    """Poll until predicate() is truthy; False after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False


def broker_kill_run(
    settings: Settings,
    engine: Engine,
    ids: dict[str, int],
    rounds: int,
    start_workers: Callable[[Settings], Callable[[], None]],
) -> tuple[int, int, float]:
    """(acknowledged fixes lost, fixes acknowledged, seconds from broker start to drained)."""
    state = Path(tempfile.mkdtemp(prefix="siaga-bench-broker-"))
    own = private_broker_settings(settings, state)
    ensure_broker(own)
    url = embedded_mqtt_url(own)
    stop_workers = start_workers(own.model_copy(update={"mqtt_url": url}))
    signs = list(ids)
    trackers = [Tracker(url, settings.mqtt_topic_root, signs[i::4]) for i in range(4)]
    base = round(time.time() - 5400)
    try:
        half = rounds // 2
        for seq in range(half):
            for tracker in trackers:
                tracker.publish_round(base + seq)
        kill_broker(own)  # mid-burst: some fixes acked, some in flight, some not sent yet
        for seq in range(half, rounds):
            for tracker in trackers:
                tracker.publish_round(base + seq)  # queued by paho while the broker is away
        restarted = time.perf_counter()
        ensure_broker(own)
        wait_for(lambda: not any(t.pending() for t in trackers), 300)
        acked = set().union(*(t.acked() for t in trackers))
        wait_for(lambda: acked <= stored(engine, ids, base), 300, 0.1)
        recovery_s = time.perf_counter() - restarted
        lost = len(acked - stored(engine, ids, base))
        return lost, len(acked), recovery_s
    finally:
        for tracker in trackers:
            tracker.close()
        stop_workers()
        stop_broker(own)
        remove_state_dir(state)
