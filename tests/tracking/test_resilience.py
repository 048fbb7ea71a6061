"""Nothing the broker acknowledged is lost: a worker killed mid-burst, a broker stopped and
started between bursts, a database restarted mid-burst. Trackers record every PUBACK; each test
runs on its OWN broker or cluster (tests/tracking/test_broker_kill.py: the broker's kill -9)."""

from __future__ import annotations

import signal
import time
import uuid

import pytest

from core.db import make_engine
from core.embedded import ensure_postgres, remove_state_dir, stop_postgres
from core.embedded_broker import broker_dir, ensure_broker, stop_broker
from core.migrate import upgrade
from core.settings import Settings
from tests.conftest import wait_until
from tests.tracking.faults import (
    Tracker,
    assert_acked_stored_once,
    free_port,
    heartbeat_subscribed,
    private_broker,
    publish_rounds,
    register_fleet,
    wait_stored,
    worker_process,
)
from tests.tracking.live import forget_heartbeats, running_worker

pytestmark = pytest.mark.slow


def test_worker_killed_mid_burst_loses_nothing(settings, engine, tmp_path):
    """Two partition workers; one is killed with kill -9 mid-burst and restarted later."""
    with private_broker(settings, tmp_path / "state") as broker:
        ids = register_fleet(broker, 100, f"B{uuid.uuid4().hex[:4]}")
        prefix = f"burst-{uuid.uuid4().hex[:6]}"
        instances = [f"{prefix}-{i}" for i in range(2)]
        workers = [worker_process(broker, name, f"{i}/2") for i, name in enumerate(instances)]
        trackers = [Tracker(broker, list(ids)[i::4]) for i in range(4)]
        try:
            up = lambda: all(heartbeat_subscribed(engine, n) for n in instances)  # noqa: E731
            wait_until(up, 30, message="workers up")
            base = time.time() - 3600
            publish_rounds(trackers, range(0, 10), base, pace_s=0.01)
            workers[1].send_signal(signal.SIGKILL)  # a crash: its batch in hand is never acked
            workers[1].wait()
            publish_rounds(trackers, range(10, 20), base, pace_s=0.01)
            workers[1] = worker_process(broker, instances[1], "1/2")
            publish_rounds(trackers, range(20, 30), base, pace_s=0.01)
            wait_until(lambda: not any(t.pending() for t in trackers), 60, message="flushed")
            wait_stored(engine, ids, trackers)
            assert sum(len(t.acked) for t in trackers) == 3000
            assert_acked_stored_once(engine, ids, trackers)
        finally:
            for tracker in trackers:
                tracker.close()
            for proc in workers:
                proc.terminate()
                proc.wait(timeout=20)
            forget_heartbeats(broker, instances)


def test_broker_restart_loses_nothing(settings, engine, tmp_path):
    with private_broker(settings, tmp_path / "state") as broker:
        ids = register_fleet(broker, 50, f"R{uuid.uuid4().hex[:4]}")
        base = time.time() - 600
        private = broker.model_copy(update={"mqtt_url": None})
        with running_worker(broker) as worker:
            wait_until(worker.subscribed.is_set, message="worker subscribed")
            tracker = Tracker(broker, list(ids))
            publish_rounds([tracker], range(0, 20), base, pace_s=0.01)
            wait_until(lambda: not tracker.pending(), 30, message="acknowledged")
            stop_broker(private)
            publish_rounds([tracker], range(20, 40), base, pace_s=0.01)  # queued meanwhile
            ensure_broker(private)
            wait_until(lambda: worker.generation == 2, 30, message="worker reconnected")
            assert worker.session_present  # the broker kept the session (and what it queued)
            wait_until(lambda: not tracker.pending(), 30, message="backlog flushed")
            wait_stored(engine, ids, [tracker])
            tracker.close()
        assert len(tracker.acked) == 2000
        assert_acked_stored_once(engine, ids, [tracker])
        assert broker_dir(private).exists()


def test_database_restart_mid_burst_loses_nothing(settings, tmp_path):
    """The database goes away mid-burst: the worker holds its batch, acknowledges nothing, and
    stores everything once the database is back."""
    private = Settings(state_dir=tmp_path / "pgstate", pg_port=free_port())
    try:
        ensure_postgres(private)
        upgrade(private)
        own = settings.model_copy(
            update={
                "database_url": private.database_dsn(),
                "mqtt_topic_root": settings.mqtt_topic_root + "/db",
                # its own OwnTracks root: one ingest stream per root captures it
                "owntracks_topic_root": settings.mqtt_topic_root + "/db/owntracks",
            }
        )
        ids = register_fleet(own, 50, "D")
        engine = make_engine(own, pool_size=1)
        base = time.time() - 600
        with running_worker(own) as worker:
            wait_until(worker.subscribed.is_set, message="worker subscribed")
            tracker = Tracker(own, list(ids))
            publish_rounds([tracker], range(0, 20), base, pace_s=0.01)
            stop_postgres(private)
            publish_rounds([tracker], range(20, 40), base, pace_s=0.01)
            ensure_postgres(private)
            publish_rounds([tracker], range(40, 60), base, pace_s=0.01)
            wait_until(lambda: not tracker.pending(), 30, message="acknowledged")
            wait_stored(engine, ids, [tracker])
            tracker.close()
        assert len(tracker.acked) == 3000
        assert_acked_stored_once(engine, ids, [tracker])
        engine.dispose()
    finally:
        stop_postgres(private)
        remove_state_dir(private.state_dir)
