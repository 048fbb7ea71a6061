"""The ingest worker: pull batches from the ingest stream, filter, commit, then acknowledge.

The broker stores every unit report in the ingest's own JetStream stream before it sends the
tracker its PUBACK (tracking/ingest_stream.py). Each worker reads the whole stream through its
own durable pull consumer (stock nats-py client) and acknowledges a batch only after it is
committed, so a worker, broker or database restart makes the broker deliver again what was not
stored yet; the history's primary key absorbs the duplicates. Each worker stores only the
units of its partition (a hash of the call sign): every message of one unit goes through one
worker and one filter state, and a new unit needs nothing new at the broker. The other
partitions' messages are passed over (their owners read their own consumers).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import nats
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from core.db import make_engine, make_session_factory
from core.heartbeat import record_beat
from core.settings import Settings
from tracking.decode import Fix, Rejected, decode_message
from tracking.filters import FilterLimits, FixFilter, LastFix
from tracking.ingest_batch import TRANSIENT_ERRORS, BatchOutcome, commit_batch, prepare_batch
from tracking.ingest_stream import (
    consumer_name,
    ensure_consumer,
    ensure_stream,
    nats_url,
    read_retained_links,
    stream_name,
    subject_topic,
)
from tracking.models import Unit, UnitPositionLatest
from tracking.partition import Partition
from tracking.trackers import owntracks_keys

log = logging.getLogger("siaga.ingest")
HEARTBEAT_S = 3.0
# Seconds a pull waits for the first message of a batch (also how soon stop() is seen).
FETCH_WAIT_S = 0.5
# Messages the platform sends to units, not from them: passed over if ever seen.
OUTBOUND_KINDS = ("jobs",)


@dataclass(slots=True)
class Inbound:
    """One received message after decoding, waiting for the writer."""

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


def decode_inbound(topic: str, payload: bytes, settings: Settings, received_at: float) -> Inbound:
    """Decode topic and payload; a bad message becomes an Inbound with a reject reason."""
    item = Inbound(topic, "", "", received_at, payload)
    try:
        decoded = decode_message(
            topic,
            payload,
            root=settings.mqtt_topic_root,
            owntracks_root=settings.owntracks_topic_root,
            max_payload_bytes=settings.ingest_max_payload_bytes,
        )
        item.call_sign, item.kind, item.fix = decoded.call_sign, decoded.kind, decoded.fix
        item.connected, item.note, item.sealed = decoded.connected, decoded.note, decoded.sealed
    except Rejected as exc:
        item.reject, item.reject_detail = exc.reason, exc.detail
    except Exception as exc:  # one bad message never ends the loop
        item.reject, item.reject_detail = "malformed", type(exc).__name__
    return item


class IngestWorker:
    """One ingest worker process: NATS connection, pull consumer, batch writer, heartbeat."""

    def __init__(
        self, settings: Settings, instance: str, *, partition: Partition | None = None
    ) -> None:
        self.partition = partition or Partition()
        self.settings = settings
        self.instance = instance
        self.stopping = threading.Event()
        self.subscribed = threading.Event()  # this worker's consumer exists and is bound
        self.generation = 0  # connections made so far (a reconnect counts)
        self.session_present = False  # the consumer existed already (it kept what was queued)
        self.partitions_day: date | None = None
        self.counters: Counter[str] = Counter()
        self.rejects: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()  # understood OwnTracks types, by type
        self.stats_lock = threading.Lock()  # counters change in the writer thread too
        # Seconds spent decoding, writing batches and acknowledging them.
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
        self.url = nats_url(settings)
        self.connected = False
        self.reconnected = False

    def run(self) -> None:
        """Connect and write batches until stop() is called."""
        self._ensure_partitions()
        try:
            asyncio.run(self._main())
        finally:
            self.engine.dispose()

    def stop(self) -> None:
        self.stopping.set()

    async def _main(self) -> None:
        conn = await self._connect()
        if conn is None:
            return
        try:
            sub = await self._bind(conn)
            if sub is not None:
                await self._consume(sub)
        finally:
            await conn.close()

    async def _connect(self) -> nats.NATS | None:
        """Connect, retrying while the broker is not there yet; reconnects are nats-py's."""

        async def up() -> None:
            self.connected = True
            self.reconnected = True  # the consume loop checks the consumer, then counts it
            log.info("connected to the broker (NATS)")

        async def down() -> None:
            self.connected = False
            if not self.stopping.is_set():
                log.warning("broker link lost; nats-py reconnects")

        async def error(exc: Exception) -> None:
            log.debug("nats: %s", exc)

        while not self.stopping.is_set():
            try:
                conn = await nats.connect(
                    self.url,
                    name=f"siaga-ingest-{self.instance}",
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    connect_timeout=2,
                    reconnected_cb=up,
                    disconnected_cb=down,
                    error_cb=error,
                )
            except (NatsError, OSError) as exc:
                log.warning("broker not reachable (%s); retrying", exc or type(exc).__name__)
                await asyncio.sleep(1)
                continue
            self.connected, self.generation = True, 1
            return conn
        return None

    async def _bind(self, conn: nats.NATS):  # noqa: ANN202
        """Ensure the stream and this worker's consumer, then bind a pull subscription."""
        js = conn.jetstream()
        stream = stream_name(self.settings.mqtt_topic_root)
        while not self.stopping.is_set():
            try:
                await ensure_stream(js, self.settings)
                self.session_present = await ensure_consumer(js, self.settings, self.instance)
                sub = await js.pull_subscribe_bind(consumer_name(self.instance), stream=stream)
                self.js = js
                if not self.session_present:
                    await self._apply_retained_links()
                self.subscribed.set()
                return sub
            except (NatsError, OSError) as exc:
                log.warning("ingest stream not ready (%s); retrying", exc)
                await asyncio.sleep(1)
        return None

    async def _apply_retained_links(self) -> None:
        """A new consumer starts with the units' retained link states (nothing to ack)."""
        links = await asyncio.to_thread(read_retained_links, self.settings)
        settings, now = self.settings, time.time()
        batch = [
            decode_inbound(topic, payload, settings, now)
            for topic, payload in links
            if self._owns(topic)
        ]
        if batch:
            await asyncio.to_thread(self._write_until_stored, batch)

    async def _consume(self, sub) -> None:  # noqa: ANN001
        """Fetch, decode, write in a thread (while the next batch is fetched), ack, repeat."""
        writing: asyncio.Task | None = None
        next_beat = 0.0
        while not self.stopping.is_set():
            if self.reconnected:
                await self._recheck_consumer()
            msgs = await self._fetch(sub)
            batch = self._decode(msgs) if msgs else []
            if writing is not None:
                await writing
                writing = None
            if msgs:
                writing = asyncio.create_task(self._store_and_ack(batch, msgs))
            if time.monotonic() >= next_beat:
                await asyncio.to_thread(self._housekeeping)
                next_beat = time.monotonic() + HEARTBEAT_S
        if writing is not None:
            await writing

    async def _recheck_consumer(self) -> None:
        """After a reconnect: the consumer survived the broker restart (or is made again)."""
        try:
            self.session_present = await ensure_consumer(self.js, self.settings, self.instance)
        except (NatsError, OSError) as exc:
            log.warning("consumer not checked after reconnect (%r); retrying", exc)
            await asyncio.sleep(0.5)
            return
        self.reconnected = False
        self.generation += 1

    async def _fetch(self, sub) -> list[Msg]:  # noqa: ANN001
        try:
            return await sub.fetch(self.settings.ingest_batch_size, timeout=FETCH_WAIT_S)
        except NatsTimeout:
            return []
        except (NatsError, OSError) as exc:  # the broker is away: nats-py reconnects
            log.debug("fetch failed: %r", exc)
            await asyncio.sleep(0.5)
            return []

    def _decode(self, msgs: list[Msg]) -> list[Inbound]:
        """This partition's messages decoded (the others are passed over)."""
        started = time.perf_counter()
        now = time.time()
        batch: list[Inbound] = []
        skipped: Counter[str] = Counter()
        for msg in msgs:
            topic = subject_topic(msg.subject)
            if not self._owns(topic):
                skipped["other_partition"] += 1
            elif topic.rsplit("/", 1)[-1] in OUTBOUND_KINDS:
                skipped["outbound"] += 1
            else:
                batch.append(decode_inbound(topic, msg.data, self.settings, now))
        with self.stats_lock:
            self.counters.update(skipped)
        self.timers["decode_s"] += time.perf_counter() - started
        return batch

    def _owns(self, topic: str) -> bool:
        settings = self.settings
        return self.partition.owns_topic(
            topic, settings.mqtt_topic_root, settings.owntracks_topic_root
        )

    async def _store_and_ack(self, batch: list[Inbound], msgs: list[Msg]) -> None:
        started = time.perf_counter()
        stored = await asyncio.to_thread(self._write_until_stored, batch) if batch else True
        if not stored:
            return  # stopping: nothing acknowledged, the broker delivers it again
        acked = time.perf_counter()
        try:
            for msg in msgs:
                await msg.ack()
        except (NatsError, OSError) as exc:  # not acked: delivered again, absorbed as duplicate
            log.warning("batch stored but not acknowledged (%r)", exc)
        self.timers["write_s"] += acked - started
        self.timers["ack_s"] += time.perf_counter() - acked
        with self.stats_lock:
            self.counters["delivered"] += len(msgs)

    def _housekeeping(self) -> None:
        if datetime.now(UTC).date() != self.partitions_day:
            self._ensure_partitions()
        self._beat()

    def _write_until_stored(self, batch: list[Inbound]) -> bool:
        """Write the batch, retrying while the database is away; False if stopping first."""
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
            return False
        if outcome.rejects.get("write_failed"):
            self.unit_ids.clear()  # a unit deleted meanwhile: resolve call signs again
        if outcome.rejects.get("encrypted_no_key") or outcome.rejects.get("decrypt_failed"):
            self._forget_keys(batch)  # a key set or changed meanwhile is read again
        self._count(outcome, len(batch))
        return True

    def _count(self, outcome: BatchOutcome, size: int) -> None:
        with self.stats_lock:
            self._add_counts(outcome, size)

    def _add_counts(self, outcome: BatchOutcome, size: int) -> None:
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
        with self.stats_lock:
            counters, rejects = dict(self.counters), dict(self.rejects)
            timers = {name: round(value, 3) for name, value in self.timers.items()}
        detail = {
            **counters,
            "rejected": sum(rejects.values()),
            "rejected_by_reason": rejects,
            **timers,
            "connected": self.connected,
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
