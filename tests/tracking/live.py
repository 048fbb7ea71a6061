"""Helpers for tests that run ingest workers against a real broker and database."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from core.db import make_engine
from core.mqtt import connect, make_client
from core.settings import Settings
from tracking.ingest_stream import delete_consumer
from tracking.partition import Partition
from tracking.worker import IngestWorker


@contextmanager
def running_worker(
    settings: Settings, instance: str | None = None, partition: Partition | None = None
) -> Iterator[IngestWorker]:
    """An ingest worker in a thread; its consumer at the broker is deleted afterwards."""
    instance = instance or f"test-{uuid.uuid4().hex[:8]}"
    worker = IngestWorker(settings, instance, partition=partition)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=15)
        forget_consumer(settings, instance)
        forget_heartbeats(settings, [instance])


def forget_consumer(settings: Settings, instance: str) -> None:
    """Delete a worker's consumer, from a thread of its own (the test may run in an event loop,
    as a headless-browser test's does)."""
    thread = threading.Thread(target=lambda: asyncio.run(delete_consumer(settings, instance)))
    thread.start()
    thread.join(timeout=15)


def forget_heartbeats(settings: Settings, instances: list[str]) -> None:
    """Remove test workers' heartbeats so /health tests see no ingest worker."""
    engine = make_engine(settings, pool_size=1)
    with engine.begin() as conn:
        query = text(
            "DELETE FROM service_heartbeats WHERE service = 'ingest' AND instance = ANY(:i)"
        )
        conn.execute(query, {"i": instances})
    engine.dispose()


def forget_session(settings: Settings, client_id: str) -> None:
    """Connect once with a clean, non-persistent session so the broker drops the old one."""
    client, target, props = make_client(settings.mqtt_dsn(), client_id, persistent=False)
    connect(client, target, props, persistent=False)
    client.loop_start()
    deadline = time.monotonic() + 5
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    client.disconnect()
    client.loop_stop()


class Publisher:
    """A QoS 1 publisher that never has more than `window` messages outstanding."""

    def __init__(self, settings: Settings, window: int = 20000) -> None:
        self.client, target, props = make_client(
            settings.mqtt_dsn(), f"test-pub-{uuid.uuid4().hex[:8]}", persistent=False
        )
        self.client.max_inflight_messages_set(1000)
        connect(self.client, target, props, persistent=False)
        self.client.loop_start()
        self.window = window
        self.infos: list = []

    def publish(self, topic: str, payload: bytes | str | dict) -> None:
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        if len(self.infos) >= self.window:
            self.infos[-self.window].wait_for_publish(60)
        self.infos.append(self.client.publish(topic, payload, qos=1))

    def flush(self) -> None:
        for info in self.infos[-self.window :]:
            info.wait_for_publish(60)

    def close(self) -> None:
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()


def count_positions(engine: Engine, unit_ids: list[int]) -> int:
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM unit_positions WHERE unit_id = ANY(:ids)")
        return int(conn.execute(query, {"ids": unit_ids}).scalar_one())


def wait_for_count(
    engine: Engine, unit_ids: list[int], expected: int, stall_s: float = 30.0
) -> None:
    """Wait until `expected` positions are stored; fail once no progress is made for stall_s."""
    last, last_change = -1, time.monotonic()
    while True:
        count = count_positions(engine, unit_ids)
        if count >= expected:
            return
        if count != last:
            last, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            raise AssertionError(f"stored {count} of {expected} fixes; no progress for {stall_s} s")
        time.sleep(0.2)
