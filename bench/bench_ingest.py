"""Ingest: fixes/s stored in PostGIS by the ingest workers beside the broker's raw rate to bare
paho subscribers in the same run, publish-to-visible p99, and fixes lost (must be 0).

Throughput is measured by draining a backlog: N fixes are queued at QoS 1 in the workers'
persistent sessions while they are stopped, then the workers start and the time from the first
to the last stored fix is taken. The baseline drains the same backlog into as many bare stock paho
subscribers (same shared subscription, automatic PUBACK, no decoding, no database); the note
adds the same bare subscribers on the workers' own reader (tracking/mqtt_reader.py).
Latency is measured live: a steady background load runs while probe units publish fixes
stamped with their send time and a poller watches unit_positions_latest.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from bench.common import BenchContext, Figure, percentile
from core.db import make_session_factory, session_scope
from core.mqtt import connect, make_client
from core.settings import PROJECT_ROOT, Settings
from tracking.fleet import ensure_fleet
from tracking.jobs import unit_topic

UNITS = 1000
PROBES = 20


class Publisher:
    """QoS 1 publisher keeping at most `window` messages unacknowledged (paho's mids are 16 bit)."""

    def __init__(self, settings: Settings, window: int = 20000) -> None:
        self.client, target, props = make_client(
            settings.mqtt_dsn(), f"bench-pub-{uuid.uuid4().hex[:8]}", persistent=False
        )
        self.client.max_inflight_messages_set(2000)
        connect(self.client, target, props, persistent=False)
        self.client.loop_start()
        self.window, self.infos, self.sent = window, [], 0

    def publish(self, topic: str, payload: bytes) -> None:
        if len(self.infos) >= self.window:
            self.infos[-self.window].wait_for_publish(60)
            del self.infos[: -self.window]
        self.infos.append(self.client.publish(topic, payload, qos=1))
        self.sent += 1

    def close(self) -> int:
        """Wait until the broker acknowledged everything; return how many were published."""
        for info in self.infos:
            info.wait_for_publish(120)
        self.client.disconnect()
        self.client.loop_stop()
        return self.sent


def fix_bytes(i: int, at: float) -> bytes:
    body = {"lon": 116.8 + (i % 500) * 1e-4, "lat": -1.26, "fixed_at": at, "accuracy_m": 5.0}
    return json.dumps(body).encode()


def publish_backlog(
    settings: Settings, root: str, signs: list[str], total: int, base: float
) -> int:
    pub = Publisher(settings)
    topics = [unit_topic(root, sign, "location") for sign in signs]
    for n in range(total):
        seq, i = divmod(n, len(topics))
        pub.publish(topics[i], fix_bytes(i, base + seq))
    return pub.close()


def _bare_subscriber(url: str, client_id: str, topic: str, counts, index: int, stop) -> None:  # noqa: ANN001
    client, target, props = make_client(url, client_id, persistent=True)
    state = {"n": 0, "first": 0.0, "last": 0.0, "subscribed": False}

    def on_message(c, u, m) -> None:  # noqa: ANN001
        now = time.perf_counter()
        state["first"] = state["first"] or now
        state["n"], state["last"] = state["n"] + 1, now

    client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
    client.on_subscribe = lambda *_: state.update(subscribed=True)
    client.on_message = on_message
    connect(client, target, props, persistent=True)
    client.loop_start()
    while not stop.is_set():
        counts[index] = (state["n"], state["first"], state["last"], state["subscribed"])
        time.sleep(0.02)
    counts[index] = (state["n"], state["first"], state["last"], state["subscribed"])
    client.disconnect()
    client.loop_stop()


def raw_broker_rate(
    settings: Settings, root: str, signs: list[str], total: int, workers: int
) -> tuple[float, float]:
    """Bare stock paho subscribers (automatic PUBACK) draining the same backlog.

    Returns messages/s and their CPU microseconds per message.
    """
    topic = f"{root}/units/+/location"
    manager = mp.Manager()
    counts = manager.list([(0, 0.0, 0.0, False)] * workers)
    ids = [f"bench-raw-{uuid.uuid4().hex[:6]}-{i}" for i in range(workers)]

    def start_all() -> tuple:
        stop = mp.Event()
        procs = [
            mp.Process(
                target=_bare_subscriber,
                args=(settings.mqtt_dsn(), cid, topic, counts, i, stop),
            )
            for i, cid in enumerate(ids)
        ]
        for proc in procs:
            proc.start()
        return stop, procs

    stop, procs = start_all()  # create the sessions and subscriptions, then go away
    _wait(lambda: all(c[3] for c in counts), 60)
    stop.set()
    for proc in procs:
        proc.join()
    publish_backlog(settings, root, signs, total, time.time() - 3600)
    stop, procs = start_all()
    cpu_start = cpu_seconds([p.pid for p in procs])
    _wait(lambda: sum(c[0] for c in counts) >= total, 300)
    cpu_us = (cpu_seconds([p.pid for p in procs]) - cpu_start) / total * 1e6
    stop.set()
    for proc in procs:
        proc.join()
    first = min(c[1] for c in counts if c[0])
    last = max(c[2] for c in counts)
    for cid in ids:
        forget_session(settings, cid)
    return total / (last - first), cpu_us


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def forget_session(settings: Settings, client_id: str) -> None:
    """Drop a persistent session from the shared broker."""
    client, target, props = make_client(settings.mqtt_dsn(), client_id, persistent=False)
    connect(client, target, props, persistent=False)
    client.loop_start()
    _wait(client.is_connected, 5)
    client.disconnect()
    client.loop_stop()


def _wait(predicate, timeout_s: float, interval_s: float = 0.05) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False


class Workers:
    """`siaga ingest --instance` processes on the bench database and topic root."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.names = [f"bench-{uuid.uuid4().hex[:6]}-{i}" for i in range(count)]
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        env = {
            **os.environ,
            "SIAGA_DATABASE_URL": self.settings.database_dsn(),
            "SIAGA_MQTT_URL": self.settings.mqtt_dsn(),
            "SIAGA_MQTT_TOPIC_ROOT": self.settings.mqtt_topic_root,
            "SIAGA_LOG_LEVEL": "WARNING",
        }
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "core.cli", "ingest", "--instance", name],
                env=env,
                cwd=PROJECT_ROOT,
            )
            for name in self.names
        ]

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=30)

    def forget(self) -> None:
        for name in self.names:
            forget_session(self.settings, f"siaga-ingest-{name}")


def stored_count(ctx: BenchContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM unit_positions")).scalar_one())


def heartbeats_fresh(ctx: BenchContext, names: list[str]) -> bool:
    query = text(
        "SELECT count(*) FROM service_heartbeats WHERE instance = ANY(:n) "
        "AND (detail->>'subscribed')::boolean AND beat_at > now() - interval '5 s'"
    )
    with ctx.engine.connect() as conn:
        return int(conn.execute(query, {"n": names}).scalar_one()) == len(names)


def ingest_drain_rate(
    ctx: BenchContext, workers: Workers, units: dict[str, int], total: int
) -> tuple[float, float]:
    """Queue `total` fixes while the workers are stopped, start them, time the drain.

    Progress is watched on the 1,000-row latest-position table (every unit's final fix seen)
    and only then confirmed by counting the history: counting a growing history every few
    milliseconds would cost the database more than the ingest does.
    Returns fixes/s and the workers' CPU microseconds per fix.
    """
    signs, ids = list(units), list(units.values())
    if total % len(signs):
        raise ValueError("the backlog must give every unit the same number of fixes")
    workers.start()
    _wait(lambda: heartbeats_fresh(ctx, workers.names), 60)
    workers.stop()
    before = stored_count(ctx)
    base = time.time() - 7200
    publish_backlog(ctx.settings, ctx.settings.mqtt_topic_root, signs, total, base)
    final = base + total // len(signs) - 1  # each unit's last fix (publish_backlog's stamps)
    query = text(
        "SELECT count(*) FILTER (WHERE fixed_at >= to_timestamp(:base)), count(*) FILTER "
        "(WHERE fixed_at >= to_timestamp(:final)) FROM unit_positions_latest "
        "WHERE unit_id = ANY(:ids)"
    )
    params = {"base": base - 1e-3, "final": final - 1e-3, "ids": ids}
    workers.start()
    pids = [p.pid for p in workers.procs]
    first_t, first_n, cpu_start = 0.0, 0, 0.0
    with ctx.engine.connect() as conn:
        while True:
            started, finished = conn.execute(query, params).one()
            conn.commit()
            if started and not first_t:
                first_t, cpu_start = time.perf_counter(), cpu_seconds(pids)
                first_n = stored_count(ctx) - before
            if finished == len(ids) and stored_count(ctx) - before >= total:
                now = time.perf_counter()
                cpu_us = (cpu_seconds(pids) - cpu_start) / (total - first_n) * 1e6
                return (total - first_n) / (now - first_t), cpu_us
            time.sleep(0.02)


def probe_latency(
    ctx: BenchContext, probe_ids: dict[str, int], seconds: float, rate: float
) -> tuple[list[float], int]:
    """Probe units publish fixes stamped with the send time; poll latest until each is seen."""
    pub = Publisher(ctx.settings)
    pending: dict[tuple[int, float], float] = {}
    seen: list[float] = []
    lock, done = threading.Lock(), threading.Event()
    query = text(
        "SELECT unit_id, extract(epoch FROM fixed_at)::float8 FROM unit_positions_latest "
        "WHERE unit_id = ANY(:ids)"
    )

    def poll() -> None:
        with ctx.engine.connect() as conn:
            while not done.is_set() or pending:
                rows = conn.execute(query, {"ids": list(probe_ids.values())}).all()
                conn.commit()
                now = time.time()
                with lock:
                    for key in [
                        k
                        for k in pending
                        if any(r[0] == k[0] and r[1] >= k[1] - 1e-4 for r in rows)
                    ]:
                        seen.append((now - pending.pop(key)) * 1000)
                if done.is_set() and time.time() > done_at[0] + 10:
                    return
                time.sleep(0.01)

    done_at = [0.0]
    poller = threading.Thread(target=poll)
    poller.start()
    topics = {
        uid: unit_topic(ctx.settings.mqtt_topic_root, s, "location") for s, uid in probe_ids.items()
    }
    end = time.time() + seconds
    uids = list(topics)
    n = 0
    while time.time() < end:
        uid = uids[n % len(uids)]
        sent = round(time.time(), 3)
        with lock:
            pending[(uid, sent)] = sent
        pub.publish(topics[uid], fix_bytes(uid, sent))
        n += 1
        time.sleep(1 / rate)
    pub.close()
    done_at[0] = time.time()
    done.set()
    poller.join()
    return seen, pub.sent


def _background_load(
    settings: Settings, signs: list[str], seconds: float, rate: float, sent
) -> None:  # noqa: ANN001
    """Steady load from another process: every unit in turn, `rate` fixes/s."""
    pub = Publisher(settings)
    topics = [unit_topic(settings.mqtt_topic_root, sign, "location") for sign in signs]
    base, start, n = time.time() - 43200, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        if n > (time.perf_counter() - start) * rate:
            time.sleep(0.002)
            continue
        seq, i = divmod(n, len(topics))
        pub.publish(topics[i], fix_bytes(i, base + seq))
        n += 1
    sent.value = pub.close()


def register_units(ctx: BenchContext, count: int, prefix: str) -> dict[str, int]:
    with session_scope(make_session_factory(ctx.engine)) as session:
        ensure_fleet(session, count=count, prefix=prefix, home_jurisdiction_id=None)
        rows = session.execute(
            text("SELECT call_sign, id FROM units WHERE call_sign LIKE :p ORDER BY call_sign"),
            {"p": f"{prefix}-%"},
        )
        return {sign: uid for sign, uid in rows}


def run(ctx: BenchContext) -> list[Figure]:
    settings = ctx.settings
    total = 20_000 if ctx.quick else 100_000
    live_s, bg_rate, probe_rate = (10.0, 1000.0, 20.0) if ctx.quick else (30.0, 5000.0, 50.0)
    units = register_units(ctx, UNITS, "BENCH")
    signs = list(units)
    probes = register_units(ctx, PROBES, "PROBE")
    n_workers = settings.ingest_workers
    raw_root = settings.mqtt_topic_root + "/raw"
    raw_rate, raw_cpu_us = raw_broker_rate(settings, raw_root, signs, total, 1)
    workers = Workers(settings, n_workers)
    try:
        rate, cpu_us = ingest_drain_rate(ctx, workers, units, total)
        sent = mp.Value("q", 0)
        load = mp.Process(target=_background_load, args=(settings, signs, live_s, bg_rate, sent))
        load.start()
        latencies, probe_sent = probe_latency(ctx, probes, live_s, probe_rate)
        load.join()
        expected = total + sent.value + probe_sent
        _wait(lambda: stored_count(ctx) >= expected, 120, 0.2)
        lost = expected - stored_count(ctx)
    finally:
        workers.stop()
        workers.forget()
    p99 = percentile(latencies, 99)
    return [
        Figure(
            "ingest_fixes_per_s",
            rate,
            "fixes/s",
            "broker_raw_msgs_per_s",
            raw_rate,
            note=f"QoS 1, {n_workers} workers draining a {total:,}-fix backlog into PostGIS; "
            f"baseline: a bare stock paho subscriber draining the same backlog; CPU "
            f"per message {cpu_us:.0f} us in the workers, {raw_cpu_us:.0f} us in the bare "
            "subscriber",
        ),
        Figure(
            "ingest_visible_p99_ms",
            p99,
            "ms",
            "ingest_visible_median_ms",
            percentile(latencies, 50),
            note=f"publish -> row in unit_positions_latest, {len(latencies)} probe fixes "
            f"under a {sent.value / live_s:,.0f} fixes/s background load (10 ms polling)",
        ),
        Figure(
            "ingest_lost",
            float(lost),
            "fixes",
            "fixes_published",
            float(expected),
            note="published and acknowledged by the broker but not stored (must be 0)",
        ),
    ]
