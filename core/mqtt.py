"""MQTT connection settings and client construction (paho-mqtt 2, MQTT 3.1.1).

3.1.1 because the broker (nats-server's MQTT listener) speaks 3.1.1 only, as do most trackers;
a persistent session is `clean_session=False` with a stable client id.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties

from core.errors import InvalidInput


@dataclass(frozen=True)
class BrokerTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def parse_mqtt_url(url: str) -> BrokerTarget:
    """Parse mqtt://user:password@host:port (mqtts:// for TLS)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
        raise InvalidInput(
            f"expected mqtt://user:password@host:port, got {url!r}", field="SIAGA_MQTT_URL"
        )
    default_port = 8883 if parsed.scheme == "mqtts" else 1883
    return BrokerTarget(
        host=parsed.hostname,
        port=parsed.port or default_port,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        tls=parsed.scheme == "mqtts",
    )


def make_client(
    url: str,
    client_id: str,
    *,
    persistent: bool = True,
) -> tuple[mqtt.Client, BrokerTarget, Properties | None]:
    """A 3.1.1 client; a persistent session keeps QoS 1 messages queued while it is away.

    Returns the client, its target, and the CONNECT properties for connect() (None: MQTT
    3.1.1 has none; kept so callers need not know the protocol version).
    """
    target = parse_mqtt_url(url)
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv311,
        clean_session=not persistent,
    )
    if target.username:
        client.username_pw_set(target.username, target.password)
    if target.tls:
        client.tls_set()
    return client, target, None


def connect(
    client: mqtt.Client,
    target: BrokerTarget,
    props: Properties | None = None,
    *,
    persistent: bool = True,
    keepalive: int = 30,
) -> None:
    """Connect (the handshake completes in the network loop); the session kind is set by
    make_client."""
    client.connect(target.host, target.port, keepalive=keepalive)


class BrokerLink:
    """A long-lived connection for a process that publishes (API, dispatch).

    paho's network thread reconnects on its own; `connected` is live link status.
    """

    def __init__(self, url: str, client_id: str) -> None:
        self.client, self.target, self._props = make_client(url, client_id, persistent=False)
        self.connected = False
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        self.connected = not reason_code.is_failure

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        self.connected = False

    def start(self) -> None:
        """Connect asynchronously; failures are retried by the network thread."""
        self.client.connect_async(self.target.host, self.target.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def publish(self, topic: str, payload: bytes | str, qos: int = 1) -> mqtt.MQTTMessageInfo:
        return self.client.publish(topic, payload, qos=qos)
