"""The ingest worker's MQTT reader: paho's client, reading through a buffer, with a lean path for
the QoS 0/1 PUBLISH packets that make up nearly all of its traffic.

A stock paho subscriber spends about 110 µs of CPU per QoS 1 message on this machine
(bench/bench_ingest.py measures it as the baseline). Most of it is not MQTT: two or three
recv() system calls per packet (command byte, length bytes, body), a struct format string
built and parsed per field, and an MQTTMessage whose MQTTMessageInfo builds a Condition and an
RLock that only outgoing messages use. Here one recv() fetches what the kernel holds, complete
PUBLISH packets are cut from that buffer and handed to on_message as an InboundPublish. All
else (CONNECT, SUBACK, PINGRESP, DISCONNECT, QoS 2, per-topic callbacks, MQTT 3, a packet split
across reads, anything malformed) goes through paho's own code, unchanged.
"""

from __future__ import annotations

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

# One read from the kernel serves many small PUBLISH packets.
READ_SIZE = 256 * 1024
PUBLISH = 0x30


class BufferedSocket:
    """A socket whose recv() is served from one large read.

    `pending()` (which paho's loop already asks of TLS sockets) tells the loop that buffered
    bytes remain, so it does not wait in select() for data it already has.
    """

    __slots__ = ("_sock", "buffer", "pos")

    def __init__(self, sock: object) -> None:
        self._sock = sock
        self.buffer = b""
        self.pos = 0

    def recv(self, bufsize: int) -> bytes:
        if self.pos >= len(self.buffer):
            data = self._sock.recv(max(bufsize, READ_SIZE))  # type: ignore[attr-defined]
            if len(data) <= bufsize:
                return data  # also b"" at the end of the stream
            self.buffer, self.pos = data, 0
        start = self.pos
        self.pos = min(start + bufsize, len(self.buffer))
        return self.buffer[start : self.pos]

    def pending(self) -> int:
        inner = getattr(self._sock, "pending", None)
        return len(self.buffer) - self.pos + (inner() if inner else 0)

    def fileno(self) -> int:
        return self._sock.fileno()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._sock, name)


class InboundPublish:
    """A received QoS 0/1 PUBLISH with the attributes on_message reads of paho's MQTTMessage."""

    __slots__ = ("mid", "qos", "dup", "retain", "topic", "payload", "_raw_properties", "timestamp")

    def __init__(
        self, header: int, topic: str, mid: int, raw_properties: bytes, payload: bytes
    ) -> None:
        self.qos = (header >> 1) & 0x03
        self.dup = bool(header & 0x08)
        self.retain = bool(header & 0x01)
        self.topic, self.mid, self.payload = topic, mid, payload
        self._raw_properties = raw_properties  # length prefix included
        self.timestamp = 0.0

    @property
    def properties(self) -> Properties:
        """Parsed on demand (the ingest never reads them)."""
        properties = Properties(PacketTypes.PUBLISH)
        if self._raw_properties != b"\x00":
            properties.unpack(self._raw_properties)
        return properties


def varint_at(buffer: bytes, i: int, end: int) -> tuple[int, int] | None:
    """(value, next index) of the MQTT variable byte integer at `i`; None if it runs past `end`
    or over four bytes (paho then reads or judges the packet itself)."""
    value, shift = 0, 0
    while i < end and shift <= 21:
        byte = buffer[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7
    return None


def frame_at(buffer: bytes, pos: int) -> tuple[int, int, int] | None:
    """(header, body start, body end) of the packet at `pos` if it is wholly in the buffer."""
    length = varint_at(buffer, pos + 1, len(buffer))
    if length is None or length[1] + length[0] > len(buffer):
        return None
    return buffer[pos], length[1], length[1] + length[0]


def parse_publish_v5(buffer: bytes, header: int, start: int, end: int) -> InboundPublish | None:
    """An MQTT 5 QoS 0/1 PUBLISH body, or None if anything is unusual (paho then decides)."""
    qos = (header >> 1) & 0x03
    if qos > 1 or end - start < 2:
        return None  # QoS 2 has its own handshake in paho
    topic_end = start + 2 + ((buffer[start] << 8) | buffer[start + 1])
    i = topic_end + (2 if qos else 0)
    if topic_end == start + 2 or i >= end:
        return None  # an empty topic (a topic alias) or a truncated packet
    mid = (buffer[topic_end] << 8) | buffer[topic_end + 1] if qos else 0
    props = varint_at(buffer, i, end)
    if props is None or props[1] + props[0] > end:
        return None
    props_start, payload_start = i, props[1] + props[0]
    try:
        topic = buffer[start + 2 : topic_end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    raw_properties = buffer[props_start:payload_start]
    return InboundPublish(header, topic, mid, raw_properties, buffer[payload_start:end])


class BufferedReadClient(mqtt.Client):
    """paho's client with the buffered socket and the lean PUBLISH path (module docstring)."""

    # Packets handled per loop_read() before paho's loop gets to send (PUBACKs, pings).
    MAX_PACKETS_PER_READ = 2000
    _has_topic_callbacks = False

    def message_callback_add(self, sub: str, callback) -> None:  # noqa: ANN001
        self._has_topic_callbacks = True  # paho's matcher decides who gets those
        super().message_callback_add(sub, callback)

    def _create_socket(self):  # noqa: ANN202 (paho's SocketLike)
        sock = super()._create_socket()
        return sock if self._transport == "websockets" else BufferedSocket(sock)

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        """Handle every packet already buffered (up to MAX_PACKETS_PER_READ), not just one."""
        rc = super().loop_read(max_packets)
        sock = self._sock
        for _ in range(self.MAX_PACKETS_PER_READ):
            if rc != mqtt.MQTT_ERR_SUCCESS or sock is not self._sock:
                break
            if not isinstance(sock, BufferedSocket) or not sock.pending():
                break
            rc = super().loop_read(1)
        return rc

    def _packet_read(self) -> mqtt.MQTTErrorCode:
        sock = self._sock
        if (
            isinstance(sock, BufferedSocket)
            and self._in_packet["command"] == 0
            and self._protocol == mqtt.MQTTv5
            and not self._has_topic_callbacks
        ):
            buffer, pos = sock.buffer, sock.pos
            frame = frame_at(buffer, pos) if pos < len(buffer) else None
            if frame is not None and frame[0] & 0xF0 == PUBLISH:
                message = parse_publish_v5(buffer, *frame)
                if message is not None:
                    sock.pos = frame[2]
                    self._last_bytes_received = mqtt.time_func()  # keep-alive bookkeeping
                    return self._deliver(message)
        return super()._packet_read()

    def _deliver(self, message: InboundPublish) -> mqtt.MQTTErrorCode:
        """What paho's _handle_publish does for QoS 0/1 without per-topic callbacks."""
        message.timestamp = self._last_bytes_received
        on_message = self.on_message
        if on_message is not None:
            with self._in_callback_mutex:
                try:
                    on_message(self, self._userdata, message)
                except Exception as err:
                    self._easy_log(mqtt.MQTT_LOG_ERR, "Caught exception in on_message: %s", err)
                    if not self.suppress_exceptions:
                        raise
        if message.qos == 1 and not self._manual_ack:
            return self._send_puback(message.mid)
        return mqtt.MQTT_ERR_SUCCESS
