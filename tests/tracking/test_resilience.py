"""Nothing the broker acknowledged is lost: a 100,000-fix burst across a worker crash and
restart, a broker restart, a database restart. Each runs on its OWN broker or cluster."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import make_engine, make_session_factory, session_scope
from core.embedded import ensure_postgres, remove_state_dir, stop_postgres
from core.embedded_broker import ensure_broker, mq_dir, stop_broker
from core.migrate import upgrade
from core.settings import PROJECT_ROOT, Settings
from tests.conftest import wait_until
from tests.tracking.live import Publisher, forget_heartbeats, running_worker, wait_for_count
from tracking.fleet import ensure_fleet
from tracking.jobs import unit_topic

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_broker(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a private Mosquitto (own state_dir, free port), stopped afterwards."""
    private = Settings(state_dir=tmp_path / "state", mqtt_port=free_port())
    url = ensure_broker(private)
    yield settings.model_copy(
        update={"mqtt_url": url, "mqtt_port": private.mqtt_port, "state_dir": private.state_dir}
    )
    stop_broker(private)
    remove_state_dir(private.state_dir)


def register_fleet(settings: Settings, count: int, prefix: str) -> dict[str, int]:
    engine = make_engine(settings, pool_size=1)
    with session_scope(make_session_factory(engine)) as session:
        signs = [
            s
            for s, _ in ensure_fleet(session, count=count, prefix=prefix, home_jurisdiction_id=None)
        ]
        rows = session.execute(
            text("SELECT call_sign, id FROM units WHERE call_sign = ANY(:s)"), {"s": signs}
        )
        ids = {sign: uid for sign, uid in rows}
    engine.dispose()
    return ids


def publish_fixes(pub: Publisher, root: str, signs: list[str], rounds: range, base: float) -> None:
    for seq in rounds:
        for i, sign in enumerate(signs):
            body = {"lon": 116.8 + i * 1e-4, "lat": -1.26, "fixed_at": base + seq, "accuracy_m": 5}
            pub.publish(unit_topic(root, sign, "location"), body)


def worker_process(settings: Settings, instance: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SIAGA_DATABASE_URL": settings.database_dsn(),
        "SIAGA_MQTT_URL": settings.mqtt_dsn(),
        "SIAGA_MQTT_TOPIC_ROOT": settings.mqtt_topic_root,
        "SIAGA_LOG_LEVEL": "WARNING",
    }
    argv = [sys.executable, "-m", "core.cli", "ingest", "--instance", instance]
    return subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT)


def beat_count(engine, instance: str) -> int:
    with engine.connect() as conn:
        query = text(
            "SELECT count(*) FROM service_heartbeats WHERE instance = :i "
            "AND (detail->>'subscribed')::boolean AND beat_at > now() - interval '5 s'"
        )
        return int(conn.execute(query, {"i": instance}).scalar_one())


def assert_exactly_once(engine, ids: list[int], per_unit: int) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT (unit_id, fixed_at)), min(n), max(n) FROM "
                "(SELECT unit_id, fixed_at, count(*) OVER (PARTITION BY unit_id) AS n "
                "FROM unit_positions WHERE unit_id = ANY(:ids)) AS t"
            ),
            {"ids": ids},
        ).one()
    assert rows[0] == rows[1] == per_unit * len(ids)
    assert rows[2] == rows[3] == per_unit


def test_burst_of_100k_fixes_survives_a_worker_crash(own_broker, engine):
    settings = own_broker
    ids = register_fleet(settings, 500, f"B{uuid.uuid4().hex[:4]}")
    signs = list(ids)
    instances = [f"burst-{uuid.uuid4().hex[:6]}-{i}" for i in range(2)]
    workers = [worker_process(settings, name) for name in instances]
    try:
        wait_until(lambda: all(beat_count(engine, n) for n in instances), 30, message="workers up")
        pub = Publisher(settings)
        base = time.time() - 3600
        publish_fixes(pub, settings.mqtt_topic_root, signs, range(0, 60), base)
        workers[1].send_signal(signal.SIGKILL)  # a crash: its batch in hand is never acked
        workers[1].wait()
        publish_fixes(pub, settings.mqtt_topic_root, signs, range(60, 130), base)
        workers[1] = worker_process(settings, instances[1])
        publish_fixes(pub, settings.mqtt_topic_root, signs, range(130, 200), base)
        pub.close()
        all_ids = list(ids.values())
        wait_for_count(engine, all_ids, 100_000)
        time.sleep(1.0)  # anything redelivered late must not add rows
        assert_exactly_once(engine, all_ids, 200)
    finally:
        for proc in workers:
            proc.terminate()
            proc.wait(timeout=20)
        forget_heartbeats(settings, instances)


def test_broker_restart_loses_nothing(own_broker, engine):
    settings = own_broker
    ids = register_fleet(settings, 50, f"R{uuid.uuid4().hex[:4]}")
    base = time.time() - 600
    private = Settings(state_dir=settings.state_dir, mqtt_port=settings.mqtt_port)
    with running_worker(settings) as worker:
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        pub = Publisher(settings)
        publish_fixes(pub, settings.mqtt_topic_root, list(ids), range(0, 100), base)
        pub.close()  # 5,000 fixes acknowledged by the broker
        stop_broker(private)
        ensure_broker(private)
        wait_until(lambda: worker.generation == 2, 30, message="worker reconnected")
        assert worker.session_present  # the broker kept the session (and what it queued)
        pub = Publisher(settings)
        publish_fixes(pub, settings.mqtt_topic_root, list(ids), range(100, 200), base)
        pub.close()
        wait_for_count(engine, list(ids.values()), 10_000)
    assert_exactly_once(engine, list(ids.values()), 200)
    assert mq_dir(private).exists()


def test_database_restart_loses_nothing(settings, tmp_path):
    private = Settings(state_dir=tmp_path / "pgstate", pg_port=free_port())
    try:
        ensure_postgres(private)
        upgrade(private)
        own = settings.model_copy(
            update={
                "database_url": private.database_dsn(),
                "mqtt_topic_root": settings.mqtt_topic_root + "/db",
            }
        )
        ids = register_fleet(own, 20, "D")
        engine = make_engine(own, pool_size=1)
        base = time.time() - 600
        with running_worker(own) as worker:
            wait_until(worker.subscribed.is_set, message="worker subscribed")
            pub = Publisher(own)
            publish_fixes(pub, own.mqtt_topic_root, list(ids), range(0, 100), base)
            stop_postgres(private)
            publish_fixes(pub, own.mqtt_topic_root, list(ids), range(100, 150), base)
            ensure_postgres(private)
            publish_fixes(pub, own.mqtt_topic_root, list(ids), range(150, 200), base)
            pub.close()
            wait_for_count(engine, list(ids.values()), 4000)
        assert_exactly_once(engine, list(ids.values()), 200)
        engine.dispose()
    finally:
        stop_postgres(private)
        remove_state_dir(private.state_dir)
