"""`kill -9` of the broker mid-burst, in the order it happens in the field: trackers keep
publishing QoS 1 (recording every PUBACK), the broker is killed and started again with
`siaga services up`, the trackers reconnect and flush their backlog while the ingest worker is
still down, and only then does the worker come back. Every acknowledged fix is stored once."""

from __future__ import annotations

import signal
import time
import uuid

import pytest

from core.embedded_broker import kill_broker
from tests.conftest import wait_until
from tests.tracking.faults import (
    Tracker,
    assert_acked_stored_once,
    heartbeat_subscribed,
    private_broker,
    publish_rounds,
    register_fleet,
    services_up,
    wait_stored,
    worker_process,
)
from tests.tracking.live import forget_heartbeats

pytestmark = pytest.mark.slow


def test_broker_kill_loses_no_acknowledged_fix(settings, engine, tmp_path):
    with private_broker(settings, tmp_path / "state") as broker:
        ids = register_fleet(broker, 100, f"K{uuid.uuid4().hex[:4]}")
        signs = list(ids)
        instance = f"kill-{uuid.uuid4().hex[:6]}"
        worker = worker_process(broker, instance)
        trackers = [Tracker(broker, signs[i::4]) for i in range(4)]
        try:
            wait_until(lambda: heartbeat_subscribed(engine, instance), 30, message="worker up")
            base = time.time() - 600
            publish_rounds(trackers, range(0, 10), base, pace_s=0.02)
            kill_broker(broker)  # kill -9 mid-burst: whatever was acked must be on disk
            worker.send_signal(signal.SIGKILL)  # the worker's host went down with it
            worker.wait()
            publish_rounds(trackers, range(10, 20), base, pace_s=0.02)  # queued by trackers
            services_up(broker)
            publish_rounds(trackers, range(20, 30), base, pace_s=0.02)
            # The trackers flush their backlog before any worker is back.
            wait_until(lambda: not any(t.pending() for t in trackers), 60, message="flushed")
            worker = worker_process(broker, instance)
            wait_stored(engine, ids, trackers)
            assert sum(len(t.acked) for t in trackers) == 3000
            wait_until(lambda: heartbeat_subscribed(engine, instance), 30, message="worker up")
            assert_acked_stored_once(engine, ids, trackers)
        finally:
            for tracker in trackers:
                tracker.close()
            worker.terminate()
            worker.wait(timeout=20)
            forget_heartbeats(broker, [instance])
