"""Private brokers for security tests: each test module starts its own nats-server with the
project's configuration (never the shared one) and talks to it as a plain MQTT 3.1.1 client."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes

from core.embedded import remove_state_dir
from core.embedded_broker import ensure_broker, stop_broker
from core.settings import Settings
from tests.conftest import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_broker(settings: Settings, state: Path, name: str, **update: Any) -> Iterator[Settings]:
    """The settings with a broker of their own (state dir, ports, topic root); removed after.

    The OwnTracks root is the apps' default layout: no other stream shares this broker.
    """
    own = settings.model_copy(
        update={
            "state_dir": state,
            "mqtt_port": free_port(),
            "nats_port": free_port(),
            "nats_monitor_port": free_port(),
            "mqtt_url": None,
            "mqtt_topic_root": f"siaga/{name}-{uuid.uuid4().hex[:6]}",
            "owntracks_topic_root": "owntracks",
            **update,
        }
    )
    try:
        ensure_broker(own)
        yield own
    finally:
        stop_broker(own)
        remove_state_dir(state)


class Probe:
    """A paho 3.1.1 client that records its connect result, SUBACKs, PUBACKs and messages."""

    def __init__(self, port: int, username: str | None, password: str | None) -> None:
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"probe-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
        )
        if username:
            self.client.username_pw_set(username, password)
        self.connect_rc: mqtt.ReasonCode | None = None
        self.messages: list[tuple[str, bytes]] = []
        self.pubacks: set[int] = set()
        self.subacks: list[list[int]] = []
        self.lock = threading.Lock()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_connect_fail = self._on_connect_fail
        self.client.connect_async("127.0.0.1", port)
        self.client.loop_start()
        wait_until(lambda: self.connect_rc is not None, message="CONNACK")

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        self.connect_rc = reason_code
        if reason_code.is_failure:
            client.disconnect()

    def _on_connect_fail(self, client, userdata) -> None:  # noqa: ANN001
        self.connect_rc = mqtt.ReasonCode(PacketTypes.CONNACK, "Not authorized")
        client.disconnect()

    def _on_message(self, client, userdata, message) -> None:  # noqa: ANN001
        with self.lock:
            self.messages.append((message.topic, message.payload))

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:  # noqa: ANN001
        self.pubacks.add(mid)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:  # noqa: ANN001
        self.subacks.append([rc.value for rc in reason_codes])

    @property
    def connected(self) -> bool:
        return self.connect_rc is not None and not self.connect_rc.is_failure

    def subscribe(self, *topics: str) -> None:
        count = len(self.subacks)
        self.client.subscribe([(t, 1) for t in topics])
        wait_until(lambda: len(self.subacks) > count, message="SUBACK")

    def publish(self, topic: str, payload: str) -> None:
        """Publish at QoS 1 and wait for the PUBACK (the broker acks refused messages too)."""
        info = self.client.publish(topic, payload, qos=1)
        wait_until(lambda: info.mid in self.pubacks, message=f"PUBACK for {topic}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def connect_when_reloaded(broker: Settings, username: str, password: str) -> Probe:
    """The broker reloads on SIGHUP asynchronously: retry until the new account works."""
    probes: list[Probe] = []

    def attempt() -> bool:
        probe = Probe(broker.mqtt_port, username, password)
        probes.append(probe)
        return probe.connected

    wait_until(attempt, timeout_s=10, interval_s=0.2, message=f"{username} accepted")
    for probe in probes[:-1]:
        probe.close()
    return probes[-1]
