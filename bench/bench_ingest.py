"""Ingest on the durable path (nats-server MQTT, QoS 1, the ingest's JetStream stream): fixes/s
stored in PostGIS by the ingest workers beside a bare stock NATS pull consumer of the same
stream in the same run (and a bare stock paho MQTT subscriber), the QoS 1 publish rate,
publish-to-visible p99, fixes lost (must be 0), and a broker `kill -9` mid-burst:
acknowledged fixes lost (must be 0) and the recovery time.

Throughput is measured by draining a backlog: N fixes are published at QoS 1 (kept in the
ingest stream for the workers' durable consumers) while the workers are stopped, then the
workers start and the time from the first to the last stored fix is taken (with 1 and with 2
partition workers). The baseline drains the same backlog with a bare stock nats-py pull
consumer (batches of 5,000, every message acknowledged, no decoding, no database).
Latency is measured live: a steady background load runs while probe units publish fixes
stamped with their send time and a poller watches unit_positions_latest.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from bench.common import BenchContext, Figure, percentile
from bench.ingest_faults import broker_kill_run
from bench.ingest_faults import wait_for as _wait
from core.db import make_session_factory, session_scope
from core.mqtt import connect, make_client
from core.settings import PROJECT_ROOT, Settings
from tracking.fleet import ensure_fleet
from tracking.ingest_stream import delete_consumer, ensure_consumer, nats_url, stream_name
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
    settings: Settings, root: str, signs: list[str], total: int, base: float, connections: int = 4
) -> float:
    """Publish `total` QoS 1 fixes over several connections; the acknowledged rate (fixes/s)."""
    topics = [unit_topic(root, sign, "location") for sign in signs]
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=_publish_share, args=(settings, topics, total, base, k, connections)
        )
        for k in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started)


def _publish_share(
    settings: Settings, topics: list[str], total: int, base: float, k: int, connections: int
) -> None:
    """Connection k of `connections` publishes fixes k, k + connections, ..."""
    pub = Publisher(settings)
    for n in range(k, total, connections):
        seq, i = divmod(n, len(topics))
        pub.publish(topics[i], fix_bytes(i, base + seq))
    pub.close()


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


async def _raw_stream_drain(settings: Settings, name: str, total: int) -> tuple[float, float]:
    """A bare stock nats-py pull consumer drains `total` messages (batches of 5,000, each
    message acknowledged; no decoding, no database): messages/s and its CPU us per message."""
    import nats

    conn = await nats.connect(nats_url(settings))
    sub = await conn.jetstream().pull_subscribe_bind(
        f"ingest-{name}", stream=stream_name(settings.mqtt_topic_root)
    )
    got, first, cpu0 = 0, 0.0, 0.0
    while got < total:
        try:
            msgs = await sub.fetch(5000, timeout=5)
        except nats.errors.TimeoutError:
            break
        if not first:
            first, cpu0 = time.perf_counter(), time.process_time()
        got += len(msgs)
        for msg in msgs:  # acknowledged one by one, as the workers do
            await msg.ack()
    elapsed, cpu = time.perf_counter() - first, time.process_time() - cpu0
    await conn.close()
    await delete_consumer(settings, name)
    return got / elapsed, cpu / max(got, 1) * 1e6


async def _raw_consumer(settings: Settings, name: str) -> None:
    import nats

    conn = await nats.connect(nats_url(settings))
    await ensure_consumer(conn.jetstream(), settings, name)
    await conn.close()


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


class Workers:
    """`siaga ingest --instance` processes on the bench database and topic root."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings, self.count = settings, count
        self.names = [f"bench-{uuid.uuid4().hex[:6]}-{i}" for i in range(count)]
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        env = {
            **os.environ,
            "SIAGA_DATABASE_URL": self.settings.database_dsn(),
            "SIAGA_MQTT_URL": self.settings.mqtt_dsn(),
            # the workers' NATS connection to the same broker (the private one of the kill run)
            "SIAGA_NATS_URL": nats_url(self.settings),
            "SIAGA_MQTT_TOPIC_ROOT": self.settings.mqtt_topic_root,
            "SIAGA_OWNTRACKS_TOPIC_ROOT": self.settings.owntracks_topic_root,
            "SIAGA_LOG_LEVEL": "WARNING",
        }
        argv = [sys.executable, "-m", "core.cli", "ingest"]
        self.procs = [
            subprocess.Popen(
                [*argv, "--instance", name, "--partition", f"{i}/{self.count}"],
                env=env,
                cwd=PROJECT_ROOT,
            )
            for i, name in enumerate(self.names)
        ]

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=30)

    def forget(self) -> None:
        for name in self.names:
            asyncio.run(delete_consumer(self.settings, name))


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
    ctx: BenchContext, workers: Workers, units: dict[str, int], total: int, raw_name: str = ""
) -> tuple[float, float, float]:
    """Queue `total` fixes while the workers are stopped, start them, time the drain.

    Progress is watched on the 1,000-row latest-position table (every unit's final fix seen)
    and only then confirmed by counting the history: counting a growing history every few
    milliseconds would cost the database more than the ingest does.
    Returns fixes/s, the workers' CPU microseconds per fix and the QoS 1 publish rate.
    """
    signs, ids = list(units), list(units.values())
    if total % len(signs):
        raise ValueError("the backlog must give every unit the same number of fixes")
    workers.start()
    _wait(lambda: heartbeats_fresh(ctx, workers.names), 60)
    workers.stop()
    if raw_name:  # a bare consumer of the same stream keeps its own copy of the backlog
        asyncio.run(_raw_consumer(ctx.settings, raw_name))
    before = stored_count(ctx)
    base = time.time() - 7200
    publish_rate = publish_backlog(ctx.settings, ctx.settings.mqtt_topic_root, signs, total, base)
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
                return (total - first_n) / (now - first_t), cpu_us, publish_rate
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


def start_workers_for(ctx: BenchContext, count: int) -> Callable[[Settings], Callable[[], None]]:
    """For the broker-kill run: start `count` workers on the given broker, wait until they are
    subscribed (a fix published before a session exists has no one to go to); their stop."""

    def start(settings: Settings) -> Callable[[], None]:
        workers = Workers(settings, count)
        workers.start()
        _wait(lambda: heartbeats_fresh(ctx, workers.names), 60)
        return workers.stop

    return start


def drain(
    ctx: BenchContext, units: dict[str, int], total: int, count: int, raw: bool = False
) -> tuple:
    """ingest_drain_rate with `count` partition workers (their consumers deleted after); with
    `raw`, then a bare stock NATS consumer drains the same backlog: (rate, cpu, publish rate,
    raw rate, raw cpu)."""
    workers = Workers(ctx.settings, count)
    raw_name = f"bench-raw-{uuid.uuid4().hex[:6]}" if raw else ""
    try:
        rate, cpu, publish_rate = ingest_drain_rate(ctx, workers, units, total, raw_name)
    finally:
        workers.stop()
        workers.forget()
    raw_rate, raw_cpu = (
        asyncio.run(_raw_stream_drain(ctx.settings, raw_name, total)) if raw else (0.0, 0.0)
    )
    return rate, cpu, publish_rate, raw_rate, raw_cpu


def live_run(ctx: BenchContext, units: dict, probes: dict, live_s: float, rates: tuple) -> tuple:
    """Background load + probes through running workers; (latencies, lost, expected, sent/s)."""
    settings, signs = ctx.settings, list(units)
    workers = Workers(settings, settings.ingest_workers)
    before = stored_count(ctx)
    try:
        workers.start()
        _wait(lambda: heartbeats_fresh(ctx, workers.names), 60)
        sent = mp.Value("q", 0)
        load = mp.Process(target=_background_load, args=(settings, signs, live_s, rates[0], sent))
        load.start()
        latencies, probe_sent = probe_latency(ctx, probes, live_s, rates[1])
        load.join()
        expected = sent.value + probe_sent
        _wait(lambda: stored_count(ctx) - before >= expected, 120, 0.2)
        lost = expected - (stored_count(ctx) - before)
    finally:
        workers.stop()
        workers.forget()
    return latencies, lost, expected, sent.value / live_s


def run(ctx: BenchContext) -> list[Figure]:
    # OwnTracks under the bench's own root: its ingest stream captures only the bench's topics.
    root = ctx.settings.mqtt_topic_root
    ctx.settings = ctx.settings.model_copy(update={"owntracks_topic_root": f"{root}/owntracks"})
    settings = ctx.settings
    total = 20_000 if ctx.quick else 60_000
    live_s, bg_rate, probe_rate = (10.0, 1000.0, 20.0) if ctx.quick else (20.0, 3000.0, 50.0)
    units = register_units(ctx, UNITS, "BENCH")
    signs = list(units)
    probes = register_units(ctx, PROBES, "PROBE")
    root = settings.mqtt_topic_root
    mqtt_rate, mqtt_cpu_us = raw_broker_rate(settings, root + "/raw", signs, total, 1)
    one_pub = publish_backlog(settings, root + "/pub1", signs, total // 4, time.time(), 1)
    rate1, cpu1, pub_rate, raw_rate, raw_cpu_us = drain(ctx, units, total, 1, raw=True)
    rate2, cpu2, *_ = drain(ctx, units, total, 2)
    latencies, lost, expected, bg_sent = live_run(ctx, units, probes, live_s, (bg_rate, probe_rate))
    kill_units = dict(list(units.items())[:200])
    rounds = 10 if ctx.quick else 40
    kill_lost, kill_acked, recovery_s = broker_kill_run(
        settings, ctx.engine, kill_units, rounds, start_workers_for(ctx, settings.ingest_workers)
    )
    best = max(rate1, rate2)
    p99 = percentile(latencies, 99)
    return [
        Figure(
            "ingest_fixes_per_s",
            best,
            "fixes/s",
            "broker_raw_msgs_per_s",
            raw_rate,
            note=f"QoS 1 durable path (MQTT publish -> ingest stream -> pull consumer), workers "
            f"draining a {total:,}-fix backlog into PostGIS: 1 worker {rate1:,.0f}/s "
            f"({cpu1:.0f} us CPU per fix), 2 partition workers {rate2:,.0f}/s ({cpu2:.0f} us per "
            "fix; each reads every message); baseline: a bare stock nats-py pull consumer "
            f"draining the same backlog from the same stream ({raw_cpu_us:.0f} us per msg)",
        ),
        Figure(
            "mqtt_subscriber_msgs_per_s",
            mqtt_rate,
            "msgs/s",
            "broker_raw_msgs_per_s",
            raw_rate,
            note="a bare stock paho QoS 1 subscriber (persistent session) draining the same "
            f"backlog over MQTT ({mqtt_cpu_us:.0f} us CPU per msg): the ceiling of the former "
            "path, where the workers read MQTT",
        ),
        Figure(
            "broker_qos1_publish_per_s",
            pub_rate,
            "fixes/s",
            "one_connection_publish_per_s",
            one_pub,
            note="acknowledged QoS 1 publishes into nats-server (ingest stream and JetStream file "
            "store before PUBACK), 4 paho connections in one bench process vs 1: bounded by the "
            "bench's own Python publisher (about 100 us CPU per publish), not the broker",
        ),
        Figure(
            "ingest_visible_p99_ms",
            p99,
            "ms",
            "ingest_visible_median_ms",
            percentile(latencies, 50),
            note=f"publish -> row in unit_positions_latest, {len(latencies)} probe fixes "
            f"under a {bg_sent:,.0f} fixes/s background load (10 ms polling)",
        ),
        Figure(
            "ingest_lost",
            float(lost),
            "fixes",
            "fixes_published",
            float(expected),
            note="published and acknowledged by the broker but not stored (must be 0)",
        ),
        Figure(
            "ingest_lost_broker_kill",
            float(kill_lost),
            "fixes",
            "fixes_acknowledged",
            float(kill_acked),
            note=f"broker kill -9 mid-burst ({len(kill_units)} units x {rounds} rounds over 4 "
            "tracker connections), restarted; trackers flush their backlog; must be 0",
        ),
        Figure(
            "ingest_recovery_s",
            recovery_s,
            "s",
            "backlog_at_ingest_rate_s",
            kill_acked / 2 / best,
            note="from the broker's start to every acknowledged fix stored (includes the "
            "trackers' reconnect and the redelivery of the batch in hand after ack_wait)",
        ),
    ]
