"""One ingest batch: filter fixes, stage them, store events and link reports, count rejects."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracking.decode import Rejected, decode_event, decode_link, open_sealed, owntracks_key
from tracking.filters import FixFilter
from tracking.writer import StagedFix, add_reject_counts, store_event, store_link, write_fixes

if TYPE_CHECKING:
    from tracking.worker import Inbound

log = logging.getLogger("siaga.ingest")
# A flood of bad messages must not flood the log: at most this many lines per window.
REJECT_LOG_LINES = 20
REJECT_LOG_WINDOW_S = 10.0
# Connection loss, deadlock, server restart: the same batch is retried until it is stored.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@dataclass
class BatchOutcome:
    stored: int = 0
    events: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    # Understood messages that carry nothing to store (OwnTracks transition, card, ...).
    ignored: Counter[str] = field(default_factory=Counter)


class _RejectLog:
    window_start = 0.0
    lines = 0
    suppressed = 0


def log_reject(topic: str, reason: str, detail: str) -> None:
    """Log one rejected message with its topic and reason (rate limited)."""
    now = time.monotonic()
    if now - _RejectLog.window_start > REJECT_LOG_WINDOW_S:
        if _RejectLog.suppressed:
            log.warning("%d more rejected messages not logged", _RejectLog.suppressed)
        _RejectLog.window_start, _RejectLog.lines, _RejectLog.suppressed = now, 0, 0
    if _RejectLog.lines < REJECT_LOG_LINES:
        _RejectLog.lines += 1
        log.warning("rejected %s: %s%s", topic, reason, f" ({detail})" if detail else "")
    else:
        _RejectLog.suppressed += 1


@dataclass
class PreparedBatch:
    """Filter verdicts of a batch, computed once (a retried write must not re-filter)."""

    staged: list[StagedFix] = field(default_factory=list)
    others: list[tuple[Inbound, int]] = field(default_factory=list)
    rejects: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    # A repeated /ack or /status (same topic and payload) within this is a duplicate.
    dedup_window_s: float = 600.0


def prepare_batch(
    batch: list[Inbound],
    unit_ids: dict[str, int],
    fix_filter: FixFilter,
    *,
    keys: dict[int, str] | None = None,
    dedup_window_s: float = 600.0,
) -> PreparedBatch:
    """Resolve units, open sealed OwnTracks messages with the unit's key (`keys`), filter
    fixes; rejected messages are logged and counted."""
    prepared = PreparedBatch(dedup_window_s=dedup_window_s)
    now = time.time()
    for item in batch:
        reason = item.reject
        unit_id = unit_ids.get(item.call_sign)
        if reason is None and unit_id is None:
            reason = "unknown_unit"
        elif reason is None and item.kind == "sealed":
            reason = _open(item, (keys or {}).get(unit_id))  # type: ignore[arg-type]
        if reason is None and unit_id is not None:
            reason = _sort(prepared, fix_filter, item, unit_id, now)
        if reason is not None:
            prepared.rejects[reason] += 1
            log_reject(item.topic, reason, item.reject_detail)
    return prepared


def _open(item: Inbound, passphrase: str | None) -> str | None:
    """Decrypt an OwnTracks `_type=encrypted` in place; a reject reason if it cannot be."""
    try:
        inner = open_sealed(item.call_sign, item.sealed, passphrase and owntracks_key(passphrase))
    except Rejected as exc:
        item.reject_detail = exc.detail
        return exc.reason
    item.kind, item.fix, item.connected, item.note = (
        inner.kind,
        inner.fix,
        inner.connected,
        inner.note,
    )
    return None


def _sort(
    prepared: PreparedBatch, fix_filter: FixFilter, item: Inbound, unit_id: int, now: float
) -> str | None:
    """Put one decoded message where it goes: staged fixes, events and links, or ignored."""
    if item.kind == "ignored":
        prepared.ignored[item.note] += 1
        return None
    if item.fix is None:
        prepared.others.append((item, unit_id))
        return None
    reason = _check(fix_filter, unit_id, item, now)
    if reason is None:
        prepared.staged.append(StagedFix(unit_id, item.fix, item.received_at))
        if item.connected and fix_filter.is_newest(unit_id, item.fix):
            # An OwnTracks fix says the app is there (a late or replayed one says nothing).
            prepared.others.append((replace(item, kind="link", fix=None), unit_id))
    return reason


def _check(fix_filter: FixFilter, unit_id: int, item: Inbound, now: float) -> str | None:
    try:
        return fix_filter.check(unit_id, item.fix, now=now)  # type: ignore[arg-type]
    except Exception:  # the loop never dies on one bad message
        log.exception("filter failed on %s", item.topic)
        return "internal_error"


def commit_batch(
    sessions: sessionmaker[Session],
    prepared: PreparedBatch,
    stopping: threading.Event,
    *,
    split: bool = True,
) -> BatchOutcome | None:
    """Commit a prepared batch, retrying while the database is away (None if stopping first).

    A batch the database refuses for another reason is written message by message; a message
    still refused is counted as write_failed (and acknowledged, so it cannot block the queue).
    """
    delay_s = 0.5
    while not stopping.is_set():
        try:
            with sessions() as session:
                outcome = write_batch(session, prepared)
                session.commit()
            return outcome
        except TRANSIENT_ERRORS as exc:
            reason = str(exc.__cause__ or exc).splitlines()[0]
            log.warning("batch not stored (%s); retrying", reason)
            stopping.wait(delay_s)
            delay_s = min(delay_s * 2, 5.0)
        except Exception:
            if not split:
                log.exception("message refused by the database; counted as write_failed")
                return BatchOutcome(
                    rejects=Counter(prepared.rejects) + Counter(write_failed=1),
                    ignored=Counter(prepared.ignored),
                )
            log.exception("batch refused by the database; writing it message by message")
            return _commit_singly(sessions, prepared, stopping)
    return None


def _commit_singly(
    sessions: sessionmaker[Session], prepared: PreparedBatch, stopping: threading.Event
) -> BatchOutcome | None:
    total = BatchOutcome()
    window = prepared.dedup_window_s
    parts = [PreparedBatch(staged=[s], dedup_window_s=window) for s in prepared.staged]
    parts += [PreparedBatch(others=[o], dedup_window_s=window) for o in prepared.others]
    if not parts:
        return BatchOutcome(rejects=Counter(prepared.rejects), ignored=Counter(prepared.ignored))
    parts[0].rejects = Counter(prepared.rejects)  # counted once, with the first message
    parts[0].ignored = Counter(prepared.ignored)
    for part in parts:
        outcome = commit_batch(sessions, part, stopping, split=False)
        if outcome is None:
            return None
        total.stored += outcome.stored
        total.events += outcome.events
        total.rejects.update(outcome.rejects)
        total.ignored.update(outcome.ignored)
    return total


def write_batch(session: Session, prepared: PreparedBatch) -> BatchOutcome:
    """Write one prepared batch inside the caller's transaction (the caller commits, then acks)."""
    outcome = BatchOutcome(rejects=Counter(prepared.rejects), ignored=Counter(prepared.ignored))
    # In unit order, so two workers lock unit rows in the same order (no deadlock); the sort
    # is stable, so one unit's messages keep the order they arrived in.
    for item, unit_id in sorted(prepared.others, key=lambda pair: pair[1]):
        reason = _store_other(session, item, unit_id, prepared.dedup_window_s)
        if reason is None:
            outcome.events += item.kind in ("ack", "status")
        else:
            outcome.rejects[reason] += 1
            log_reject(item.topic, reason, item.reject_detail)
    outcome.stored = write_fixes(session, prepared.staged)
    if len(prepared.staged) > outcome.stored:
        outcome.rejects["duplicate"] += len(prepared.staged) - outcome.stored
    add_reject_counts(session, outcome.rejects)
    return outcome


def _store_other(
    session: Session, item: Inbound, unit_id: int, dedup_window_s: float = 600.0
) -> str | None:
    """Ack, status or link message; returns a reject reason or None."""
    received_at = datetime.fromtimestamp(item.received_at, UTC)
    try:
        if item.kind == "link":
            if item.connected is None and not item.payload:
                return None  # a retained state being cleared
            connected = item.connected
            if connected is None:
                connected = decode_link(item.payload)
            store_link(session, unit_id=unit_id, connected=connected, at=received_at)
            return None
        if item.kind == "jobs":
            return "outbound_topic"
        job_id, status, payload = decode_event(item.payload, item.kind)
    except Rejected as exc:
        item.reject_detail = exc.detail
        return exc.reason
    stored = store_event(
        session,
        unit_id=unit_id,
        call_sign=item.call_sign,
        kind=item.kind,
        job_id=job_id,
        status=status,
        payload=payload,
        topic=item.topic,
        raw=item.payload,
        received_at=received_at,
        dedup_window_s=dedup_window_s,
    )
    return None if stored else "duplicate"
