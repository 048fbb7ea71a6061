"""The ingest's own JetStream stream of the units' reports, and one durable consumer per worker.

nats-server's MQTT listener publishes every MQTT message on the NATS subject of its topic
(`siaga/units/R4-001/location` -> `siaga.units.R4-001.location`), a documented part of its
MQTT support. A stream that captures those subjects is stored from the publishing client's own
read loop, before nats-server stores the QoS 1 copy for MQTT sessions and before it sends
PUBACK (docs/DESIGN.md, Tracking, has the source reading and the kill -9 measurements), so a
fix the broker acknowledged is in this stream. The workers read it with the stock NATS client
(nats-py) through pull consumers, never through the broker's internal `$MQTT_*` streams.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import nats
from nats.errors import Error as NatsError
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from core.settings import Settings

# The kinds of message a unit sends; its /jobs (sent to it) stay out of the stream.
REPORT_KINDS = ("location", "ack", "status", "link")
NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def stream_name(root: str) -> str:
    """One stream per topic root (names allow letters, digits, '-' and '_')."""
    return "SIAGA_UNITS_" + NAME_UNSAFE.sub("_", root)


def consumer_name(instance: str) -> str:
    return "ingest-" + NAME_UNSAFE.sub("_", instance)


def report_subjects(root: str, owntracks_root: str = "owntracks") -> list[str]:
    """The NATS subjects of {root}/units/+/{location,ack,status,link}, the subtopics of a
    project location topic ({root}/units/+/location/+, OwnTracks) and OwnTracks' own layout
    ({owntracks_root}/<user>/<device>[/<subtopic>])."""
    base = root.replace("/", ".")
    return [
        *(f"{base}.units.*.{kind}" for kind in REPORT_KINDS),
        f"{base}.units.*.location.*",
        owntracks_root.replace("/", ".") + ".>",
    ]


def subject_topic(subject: str) -> str:
    """The MQTT topic of a subject (call signs and roots have no '.')."""
    return subject.replace(".", "/")


def stream_config(settings: Settings) -> StreamConfig:
    """Limits retention: a report is kept for max_age whatever the consumers acknowledged.

    Interest retention (delete once every consumer acked) lost acknowledged reports across a
    broker kill -9 in nats-server 2.9.10 (measured: 425 of 3,000), limits retention none. No
    size limit that could refuse or drop a report; max_age bounds the store (a fix that old is
    refused by the filters as too old anyway). A consumer starts at the reports that arrive
    after it is made (as an MQTT session did): start a new partition set before stopping the
    old one.
    """
    root = settings.mqtt_topic_root
    return StreamConfig(
        name=stream_name(root),
        subjects=report_subjects(root, settings.owntracks_topic_root),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=settings.ingest_max_fix_age_s,
        max_msg_size=settings.mqtt_max_payload_bytes,
        num_replicas=1,
    )


def consumer_config(settings: Settings, instance: str) -> ConsumerConfig:
    """A durable pull consumer over the whole stream, every message acknowledged on its own.

    Not AckAll: a message delivered to a pull that died with its worker would be acknowledged
    by the next worker's later ack without being stored (measured: 264 of 3,000 lost).
    """
    return ConsumerConfig(
        durable_name=consumer_name(instance),
        deliver_policy=DeliverPolicy.NEW,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=float(settings.mqtt_ack_wait_s),
        max_ack_pending=max(settings.mqtt_max_ack_pending, 2 * settings.ingest_batch_size),
        max_deliver=-1,
    )


def nats_url(settings: Settings, account: str = "ingest") -> str:
    """SIAGA_NATS_URL, else the broker of SIAGA_MQTT_URL (same user) on the NATS port."""
    if settings.nats_url:
        return settings.nats_url
    parts = urlsplit(settings.mqtt_dsn(account))
    user = quote(parts.username or "", safe="")
    password = quote(parts.password or "", safe="")
    creds = f"{user}:{password}@" if user else ""
    return f"nats://{creds}{parts.hostname}:{settings.nats_client_port}"


async def ensure_stream(js: nats.js.JetStreamContext, settings: Settings) -> None:
    """Create the stream if missing; bring its subjects and limits up to date otherwise."""
    config = stream_config(settings)
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except NatsError as exc:  # another worker created it meanwhile, or a real refusal
            try:
                await js.stream_info(config.name)
            except NotFoundError:
                raise exc from None  # e.g. its subjects overlap another root's stream
    await js.update_stream(config)


async def ensure_consumer(js: nats.js.JetStreamContext, settings: Settings, instance: str) -> bool:
    """Create this worker's durable consumer if missing; True if it existed already."""
    stream, durable = stream_name(settings.mqtt_topic_root), consumer_name(instance)
    try:
        await js.consumer_info(stream, durable)
        return True
    except NotFoundError:
        await js.add_consumer(stream, consumer_config(settings, instance))
        return False


async def delete_consumer(settings: Settings, instance: str) -> bool:
    """Drop a worker's consumer (a retired partition set, a test, a bench run)."""
    conn = await nats.connect(nats_url(settings), connect_timeout=5, allow_reconnect=False)
    try:
        js = conn.jetstream()
        try:
            await js.delete_consumer(stream_name(settings.mqtt_topic_root), consumer_name(instance))
            return True
        except NotFoundError:
            return False
    finally:
        await conn.close()


def read_retained_links(settings: Settings, wait_s: float = 1.0) -> list[tuple[str, bytes]]:
    """The units' retained /link states (topic, payload), read once through a clean MQTT
    subscription: a worker whose consumer is new has no stream history of them."""
    import threading
    import uuid

    from core.mqtt import connect, make_client

    root = settings.mqtt_topic_root
    client, target, props = make_client(
        settings.mqtt_dsn("ingest"), f"siaga-links-{uuid.uuid4().hex[:8]}", persistent=False
    )
    found: list[tuple[str, bytes]] = []
    granted = threading.Event()
    client.on_connect = lambda c, *_: c.subscribe(f"{root}/units/+/link", qos=0)
    client.on_subscribe = lambda *_: granted.set()
    client.on_message = lambda c, u, m: found.append((m.topic, m.payload)) if m.retain else None
    try:
        connect(client, target, props, persistent=False)
    except OSError:
        return []
    client.loop_start()
    try:
        # Retained messages follow the SUBACK at once; a short wait collects them.
        if granted.wait(10):
            granted.clear()
            granted.wait(wait_s)
    finally:
        client.disconnect()
        client.loop_stop()
    return list(found)
