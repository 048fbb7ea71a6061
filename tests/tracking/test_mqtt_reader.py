"""The ingest worker's reader hands on_message exactly what stock paho does, from the same bytes.

A byte stream of MQTT 5 packets (QoS 0, 1 and 2, with and without properties, one- and
multi-byte lengths, a non-UTF-8 topic, PINGRESPs between them) is written into a socket in
random slices, so packets straddle reads; a stock paho client and the reader each consume it.
"""

from __future__ import annotations

import random
import socket
import struct

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tracking.mqtt_reader import BufferedReadClient, BufferedSocket, frame_at, parse_publish_v5

PINGRESP = b"\xd0\x00"


def _length(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def publish(topic: bytes, payload: bytes, *, qos: int, mid: int = 0, props: bytes = b"\x00",
            dup: bool = False, retain: bool = False) -> bytes:  # fmt: skip
    header = 0x30 | (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", mid) if qos else b"")
    body += props + payload
    return bytes([header]) + _length(len(body)) + body


def _props() -> bytes:
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = ("unit", "R4-01")
    props.MessageExpiryInterval = 30
    return props.pack()


def _stream(rng: random.Random) -> tuple[bytes, int]:
    """The bytes, and how many messages on_message gets (QoS 2 waits for a PUBREL)."""
    packets, delivered = [], 0
    for n in range(600):
        qos = rng.choice((0, 1, 1, 1, 2))
        size = rng.choice((20, 90, 200, 20_000))  # 20,000 bytes: a three-byte length
        payload = bytes(rng.randrange(256) for _ in range(min(size, 64))) * (size // 64 + 1)
        topic = f"siaga/units/R{n % 37}/location".encode()
        if n == 77:
            topic = b"siaga/units/\xff\xfe/location"  # not UTF-8: paho's own path decides
        packets.append(
            publish(topic, payload[:size], qos=qos, mid=(n % 65535) + 1 if qos else 0,
                    props=_props() if n % 5 == 0 else b"\x00", dup=n % 11 == 0,
                    retain=n % 13 == 0)
        )  # fmt: skip
        delivered += qos < 2
        if n % 50 == 0:
            packets.append(PINGRESP)
    return b"".join(packets), delivered


def _consume(client: mqtt.Client, stream: bytes, rng: random.Random) -> list[tuple]:
    seen: list[tuple] = []

    def on_message(_c, _u, msg) -> None:  # noqa: ANN001
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            topic = "<not utf-8>"
        props = msg.properties.json() if msg.properties is not None else None
        seen.append((topic, bytes(msg.payload), msg.qos, msg.mid, msg.dup, msg.retain, props))

    writer, reader = socket.socketpair()
    reader.setblocking(False)
    client.on_message = on_message
    client.manual_ack_set(True)
    client._sock = BufferedSocket(reader) if isinstance(client, BufferedReadClient) else reader
    try:
        sent = 0
        while sent < len(stream):
            piece = stream[sent : sent + rng.randrange(1, 70_000)]
            writer.sendall(piece)
            sent += len(piece)
            while client.loop_read() == mqtt.MQTT_ERR_SUCCESS and _readable(client):
                pass
    finally:
        client._sock = None
        writer.close()
        reader.close()
    return seen


def _readable(client: mqtt.Client) -> bool:
    sock = client._sock
    if isinstance(sock, BufferedSocket) and sock.pending():
        return True
    import select

    return bool(select.select([sock], [], [], 0.005)[0])


def _client(kind: type[mqtt.Client]) -> mqtt.Client:
    return kind(mqtt.CallbackAPIVersion.VERSION2, client_id="t", protocol=mqtt.MQTTv5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reader_delivers_what_paho_delivers(seed: int) -> None:
    stream, delivered = _stream(random.Random(seed))
    expected = _consume(_client(mqtt.Client), stream, random.Random(seed))
    got = _consume(_client(BufferedReadClient), stream, random.Random(seed + 100))
    assert len(expected) == delivered > 400
    assert got == expected


def test_truncated_or_unusual_packets_are_left_to_paho() -> None:
    whole = publish(b"a/b", b"{}", qos=1, mid=7)
    assert frame_at(whole, 0) == (0x32, 2, len(whole))
    assert frame_at(whole[:-1], 0) is None  # the rest is still on the wire
    assert frame_at(b"\x32\xff\xff\xff\xff\x01", 0) is None  # a five-byte length
    header, start, end = frame_at(whole, 0)
    message = parse_publish_v5(whole, header, start, end)
    assert (message.topic, message.mid, message.payload, message.qos) == ("a/b", 7, b"{}", 1)
    for odd in (
        publish(b"a/b", b"{}", qos=2, mid=7),  # QoS 2: paho's handshake
        publish(b"", b"{}", qos=1, mid=7),  # empty topic (an alias)
        publish(b"a/\xff", b"{}", qos=1, mid=7),  # not UTF-8
        bytes([0x32, 4]) + struct.pack("!H", 9) + b"ab",  # topic longer than the packet
    ):
        frame = frame_at(odd, 0)
        assert frame is not None and parse_publish_v5(odd, *frame) is None
