"""The ingest worker: paho decodes and queues, one writer thread drains in batches.

Nothing is acknowledged to the broker before its batch is committed (manual PUBACK through
paho's public `ack()`), so a worker, broker or database restart makes the broker redeliver
what was not stored yet; the history's primary key absorbs the duplicates. Each worker keeps
its own persistent session (stable client id, clean_session=False) subscribed to every unit's
topics, and stores only the units of its partition (a hash of the call sign): every message of
one unit goes through one worker and one filter state, and a new unit needs no new
subscription. The other partitions' messages are acknowledged at once: their owners hold their
own copy in their own sessions.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import paho.mqtt.client as mqtt
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from core.db import make_engine, make_session_factory
from core.heartbeat import record_beat
from core.mqtt import make_client
from core.settings import Settings
from tracking.decode import Fix, Rejected, decode_message
from tracking.filters import FilterLimits, FixFilter, LastFix
from tracking.ingest_batch import TRANSIENT_ERRORS, BatchOutcome, commit_batch, prepare_batch
from tracking.models import Unit, UnitPositionLatest
from tracking.partition import Partition
from tracking.trackers import owntracks_keys

log = logging.getLogger("siaga.ingest")
HEARTBEAT_S = 3.0
# Messages the platform sends to units, not from them: under the one subscription, passed over.
OUTBOUND_KINDS = ("jobs",)


@dataclass(slots=True)
class Inbound:
    """One received message after decoding, waiting for the writer."""

    mid: int
    qos: int
    generation: int
    topic: str
    call_sign: str
    kind: str
    received_at: float
    payload: bytes
    fix: Fix | None = None
    reject: str | None = None
    reject_detail: str = ""
    connected: bool | None = None  # the link state an OwnTracks message reports
    note: str = ""  # an understood OwnTracks type that is counted, not stored
    sealed: str = ""  # an OwnTracks `_type=encrypted`, opened with the unit's key


def subscriptions(settings: Settings) -> list[str]:
    """One subscription for every unit's reports (location, ack, status, link).

    One, because nats-server delivers each subscription from its own JetStream consumer: a
    tracker's /ack and /status would otherwise arrive in either order. /link is retained, so a
    (re)subscribing worker gets each unit's state. OwnTracks apps (which never send /ack) come
    in on their own layout, `owntracks/<user>/<device>[/<subtopic>]`, and on the subtopics of
    a project location topic.
    """
    root = settings.mqtt_topic_root
    return [f"{root}/units/+/+", f"{root}/units/+/location/+", f"{settings.owntracks_topic_root}/#"]


def decode_inbound(msg: mqtt.MQTTMessage, settings: Settings, generation: int) -> Inbound:
    """Decode topic and payload; a bad message becomes an Inbound with a reject reason."""
    item = Inbound(msg.mid, msg.qos, generation, msg.topic, "", "", time.time(), msg.payload)
    try:
        decoded = decode_message(
            msg.topic,
            msg.payload,
            root=settings.mqtt_topic_root,
            owntracks_root=settings.owntracks_topic_root,
            max_payload_bytes=settings.ingest_max_payload_bytes,
        )
        item.call_sign, item.kind, item.fix = decoded.call_sign, decoded.kind, decoded.fix
        item.connected, item.note, item.sealed = decoded.connected, decoded.note, decoded.sealed
    except Rejected as exc:
        item.reject, item.reject_detail = exc.reason, exc.detail
    except Exception as exc:  # an exception here would end paho's network thread
        item.reject, item.reject_detail = "malformed", type(exc).__name__
    return item


class IngestWorker:
    """One ingest worker process: MQTT session, queue, batch writer, heartbeat."""

    def __init__(
        self, settings: Settings, instance: str, *, partition: Partition | None = None
    ) -> None:
        self.partition = partition or Partition()
        self.settings = settings
        self.instance = instance
        self.queue: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.subscribed = threading.Event()  # the broker granted this connection's subscriptions
        self.generation = 0
        self.session_present = False
        self.partitions_day: date | None = None
        self.counters: Counter[str] = Counter()
        self.rejects: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()  # understood OwnTracks types, by type
        # Seconds spent decoding (paho thread), writing batches and acknowledging them.
        self.timers: dict[str, float] = {"decode_s": 0.0, "write_s": 0.0, "ack_s": 0.0}
        self.started_at = datetime.now(UTC)
        self.filter = FixFilter(
            FilterLimits(
                max_fix_age_s=settings.ingest_max_fix_age_s,
                max_future_s=settings.ingest_max_future_s,
                max_accuracy_m=settings.ingest_max_accuracy_m,
                max_speed_mps=settings.ingest_max_speed_mps,
            )
        )
        self.unit_ids: dict[str, int] = {}
        self.unit_keys: dict[int, str] = {}  # OwnTracks passphrases of the units seen
        self.engine = make_engine(settings, pool_size=2)
        self.sessions = make_session_factory(self.engine)
        self.client, self.target, self.props = make_client(
            settings.mqtt_dsn("ingest"),
            f"siaga-ingest-{instance}",
            persistent=True,
        )
        self.client.manual_ack_set(True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=5)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        if reason_code.is_failure:
            log.error("broker refused connection: %s", reason_code)
            return
        self.generation += 1
        self.subscribed.clear()
        self.session_present = bool(flags.session_present)
        # Subscribing here means a reconnect re-subscribes (the session usually kept them).
        client.subscribe([(topic, 1) for topic in subscriptions(self.settings)])
        log.info(
            "connected to %s:%s, session present=%s",
            self.target.host,
            self.target.port,
            flags.session_present,
        )

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # noqa: ANN001
        if not self.stopping.is_set():
            log.warning("broker link lost (%s); paho reconnects", reason_code)

    def _on_message(self, client, userdata, msg) -> None:  # noqa: ANN001
        started = time.perf_counter()
        root = self.settings.mqtt_topic_root
        skip = "outbound" if msg.topic.rsplit("/", 1)[-1] in OUTBOUND_KINDS else ""
        owntracks_root = self.settings.owntracks_topic_root
        if not skip and not self.partition.owns_topic(msg.topic, root, owntracks_root):
            skip = "other_partition"  # its owner's session holds its own copy
        if not skip:
            self.queue.put(decode_inbound(msg, self.settings, self.generation))
        else:
            self.counters[skip] += 1
            if msg.qos == 1:
                client.ack(msg.mid, msg.qos)
        self.timers["decode_s"] += time.perf_counter() - started

    def run(self) -> None:
        """Connect and write batches until stop() is called."""
        self._ensure_partitions()
        # Asynchronous connect: paho keeps retrying while the broker is not there yet.
        self.client.connect_async(self.target.host, self.target.port, keepalive=30)
        self.client.loop_start()
        next_beat = 0.0
        try:
            while not self.stopping.is_set():
                batch = self._take_batch()
                if batch:
                    self._write_until_stored(batch)
                if time.monotonic() >= next_beat:
                    if datetime.now(UTC).date() != self.partitions_day:
                        self._ensure_partitions()
                    self._beat()
                    next_beat = time.monotonic() + HEARTBEAT_S
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            self.engine.dispose()

    def stop(self) -> None:
        self.stopping.set()

    def _take_batch(self) -> list[Inbound]:
        try:
            batch = [self.queue.get(timeout=0.5)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.settings.ingest_flush_s
        while len(batch) < self.settings.ingest_batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self.queue.get(timeout=remaining) if remaining > 0 else self.queue.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _write_until_stored(self, batch: list[Inbound]) -> None:
        """Write the batch, retrying while the database is away; then acknowledge it."""
        started = time.perf_counter()
        delay_s = 0.5
        while not self.stopping.is_set():
            try:
                self._resolve_units(batch)
                break
            except TRANSIENT_ERRORS as exc:
                log.warning("units not resolved (%s); retrying", str(exc).splitlines()[0])
                self.stopping.wait(delay_s)
                delay_s = min(delay_s * 2, 5.0)
        prepared = prepare_batch(
            batch,
            self.unit_ids,
            self.filter,
            keys=self.unit_keys,
            dedup_window_s=self.settings.ingest_event_dedup_s,
        )
        outcome = commit_batch(self.sessions, prepared, self.stopping)
        if outcome is None:
            return  # stopping: nothing acknowledged, the broker redelivers
        if outcome.rejects.get("write_failed"):
            self.unit_ids.clear()  # a unit deleted meanwhile: resolve call signs again
        if outcome.rejects.get("encrypted_no_key") or outcome.rejects.get("decrypt_failed"):
            self._forget_keys(batch)  # a key set or changed meanwhile is read again
        stored = time.perf_counter()
        self._acknowledge(batch)
        self.timers["write_s"] += stored - started
        self.timers["ack_s"] += time.perf_counter() - stored
        self._count(outcome, len(batch))

    def _acknowledge(self, batch: list[Inbound]) -> None:
        # A mid from an earlier connection may name another message now; the broker
        # redelivers the old one and the duplicate is absorbed.
        for item in batch:
            if item.qos == 1 and item.generation == self.generation:
                self.client.ack(item.mid, item.qos)

    def _count(self, outcome: BatchOutcome, size: int) -> None:
        self.counters["received"] += size
        self.counters["stored"] += outcome.stored
        self.counters["events"] += outcome.events
        self.counters["batches"] += 1
        self.rejects.update(outcome.rejects)
        self.ignored.update(outcome.ignored)

    def _forget_keys(self, batch: list[Inbound]) -> None:
        for item in batch:
            if item.sealed:
                self.unit_keys.pop(self.unit_ids.pop(item.call_sign, -1), None)

    def _resolve_units(self, batch: list[Inbound]) -> None:
        """Look up call signs not seen yet (every batch: a unit created a moment ago counts).

        Each newly seen unit's filter starts from its latest stored fix, which passed the
        filters before: after a restart a glitch is judged against a trusted position.
        """
        missing = {i.call_sign for i in batch if i.call_sign and i.call_sign not in self.unit_ids}
        if not missing:
            return
        latest = UnitPositionLatest
        query = (
            select(
                Unit.call_sign,
                Unit.id,
                func.extract("epoch", latest.fixed_at),
                func.ST_X(latest.geom),
                func.ST_Y(latest.geom),
            )
            .outerjoin(latest, latest.unit_id == Unit.id)
            .where(Unit.call_sign.in_(missing))
        )
        with self.sessions() as session:
            rows = session.execute(query).all()
            self.unit_keys.update(owntracks_keys(session, [row[1] for row in rows]))
        for call_sign, unit_id, fixed_at, lon, lat in rows:
            self.unit_ids[call_sign] = unit_id
            if fixed_at is not None:
                self.filter.seed(unit_id, LastFix(float(fixed_at), lon, lat))

    def _ensure_partitions(self) -> None:
        """This month's and next month's history partitions (at start and each new day)."""
        try:
            with self.sessions() as session:
                session.execute(
                    text(
                        "SELECT ensure_unit_positions_partition((date_trunc('month', now()) "
                        "+ m * interval '1 month')::date) FROM generate_series(0, 1) AS m"
                    )
                )
                session.commit()
            self.partitions_day = datetime.now(UTC).date()
        except SQLAlchemyError as exc:
            log.warning("could not create position partitions: %s", exc)

    def _beat(self) -> None:
        detail = {
            **self.counters,
            "rejected": sum(self.rejects.values()),
            "rejected_by_reason": dict(self.rejects),
            "ignored_by_type": dict(self.ignored),
            **{name: round(value, 3) for name, value in self.timers.items()},
            "queue_depth": self.queue.qsize(),
            "connected": self.client.is_connected(),
            "partition": f"{self.partition.index}/{self.partition.count}",
            "subscribed": self.subscribed.is_set(),
        }
        try:
            with self.sessions() as session:
                record_beat(
                    session,
                    service="ingest",
                    instance=self.instance,
                    started_at=self.started_at,
                    detail=detail,
                )
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("heartbeat not written: %s", str(exc).splitlines()[0])
