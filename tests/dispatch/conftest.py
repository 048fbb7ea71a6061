"""Dispatch fixtures: a synthetic Polda/Polres/Polsek over the road extract, a job listener."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from core.mqtt import connect, make_client
from core.settings import Settings
from tests.conftest import wait_until
from tests.dispatch.factories import Area, make_area


@pytest.fixture
def area(db_session: Session) -> Area:
    return make_area(db_session)


class JobListener:
    """A tracker-like MQTT client that records every job message it receives."""

    def __init__(self, settings: Settings) -> None:
        self.messages: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client, target, props = make_client(
            settings.mqtt_dsn(), f"test-jobs-{uuid.uuid4().hex[:8]}", persistent=False
        )
        topic = f"{settings.mqtt_topic_root}/units/+/jobs"
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        connect(self.client, target, props, persistent=False)
        self.client.loop_start()
        wait_until(self._subscribed.is_set, timeout_s=10, message="job listener subscribed")

    def _on_message(self, client, userdata, message) -> None:  # noqa: ANN001
        with self._lock:
            self.messages.append((message.topic, json.loads(message.payload)))

    def jobs_for(self, call_sign: str) -> list[dict]:
        with self._lock:
            return [body for topic, body in self.messages if f"/units/{call_sign}/jobs" in topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def job_listener(settings: Settings) -> Iterator[JobListener]:
    listener = JobListener(settings)
    yield listener
    listener.close()
