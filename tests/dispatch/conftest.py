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

# The roles proposed for the dispatch routes (api/policy.py is the security engineer's file).
# Rules already in the policy win; only missing ones are filled in for these tests.
DISPATCH_POLICY = {
    ("POST", "/api/incidents"): "desk",
    ("GET", "/api/incidents"): "watch",
    ("GET", "/api/incidents/{incident_id}"): "watch",
    ("GET", "/api/incidents/{incident_id}/log"): "watch",
    ("GET", "/api/incidents/{incident_id}/duplicates"): "watch",
    ("GET", "/api/incidents/{incident_id}/recommendations"): "watch",
    ("POST", "/api/incidents/{incident_id}/validate"): "desk",
    ("POST", "/api/incidents/{incident_id}/accept"): "desk",
    ("POST", "/api/incidents/{incident_id}/merge"): "desk",
    ("POST", "/api/incidents/{incident_id}/assignments"): "desk",
    ("POST", "/api/incidents/{incident_id}/assignments/{assignment_id}/status"): "unit_desk",
    ("POST", "/api/incidents/{incident_id}/close"): "desk",
    ("GET", "/api/callers/{phone}"): "desk",
}


@pytest.fixture(autouse=True)
def dispatch_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import policy

    roles = {
        "watch": policy.WATCHERS,
        "desk": policy.OPERATORS | {"admin"},
        "unit_desk": policy.UNIT_DESK,
    }
    for key, group in DISPATCH_POLICY.items():
        if key not in policy.POLICY:
            monkeypatch.setitem(policy.POLICY, key, policy.rule(roles[group]))


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
