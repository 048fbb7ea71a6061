"""Batch writes of the ingest worker: COPY into a staging table, then history + latest.

History ignores a duplicate delivery (primary key unit_id, fixed_at); the latest position only
moves forward in time. The caller commits, then acknowledges the batch's MQTT messages.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from tracking.decode import Fix
from tracking.service import set_unit_status
from tracking.unit_status import tracker_report

CREATE_STAGE = text(
    """
    CREATE TEMP TABLE IF NOT EXISTS ingest_stage (
        unit_id int, fixed_at float8, received_at float8, lon float8, lat float8,
        speed_mps float8, heading_deg float8, accuracy_m float8, raw text
    ) ON COMMIT DELETE ROWS
    """
)
COPY_STAGE = (
    "COPY ingest_stage (unit_id, fixed_at, received_at, lon, lat, speed_mps, heading_deg, "
    "accuracy_m, raw) FROM STDIN WITH (FORMAT csv)"
)
# The row count of the INSERT is the number of new fixes (duplicates are skipped).
INSERT_HISTORY = text(
    """
    INSERT INTO unit_positions
        (unit_id, fixed_at, received_at, geom, speed_mps, heading_deg, accuracy_m, raw)
    SELECT unit_id, to_timestamp(fixed_at), to_timestamp(received_at),
           ST_SetSRID(ST_MakePoint(lon, lat), 4326), speed_mps, heading_deg, accuracy_m, raw
    FROM ingest_stage
    ON CONFLICT DO NOTHING
    """
)
# Rows are taken in unit_id order so two workers lock latest rows in the same order.
UPSERT_LATEST = text(
    """
    INSERT INTO unit_positions_latest AS latest
        (unit_id, geom, fixed_at, received_at, speed_mps, heading_deg, accuracy_m)
    SELECT DISTINCT ON (unit_id) unit_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
           to_timestamp(fixed_at), to_timestamp(received_at), speed_mps, heading_deg, accuracy_m
    FROM ingest_stage
    ORDER BY unit_id, fixed_at DESC
    ON CONFLICT (unit_id) DO UPDATE SET
        geom = excluded.geom, fixed_at = excluded.fixed_at, received_at = excluded.received_at,
        speed_mps = excluded.speed_mps, heading_deg = excluded.heading_deg,
        accuracy_m = excluded.accuracy_m
    WHERE excluded.fixed_at > latest.fixed_at
    """
)
ADD_REJECTS = text(
    """
    INSERT INTO ingest_reject_counts (day, reason, count) VALUES (:day, :reason, :count)
    ON CONFLICT (day, reason) DO UPDATE SET count = ingest_reject_counts.count + excluded.count
    """
)
# The same report (topic and payload) within the window is a redelivery or a repeat: stored
# once. A later identical report (a unit "available" again an hour on) is a new report. The
# advisory lock makes the check-then-insert safe between two workers.
INSERT_EVENT = text(
    """
    INSERT INTO unit_events (unit_id, kind, job_id, status, payload, received_at, dedup_key)
    SELECT :unit_id, :kind, :job_id, :status, CAST(:payload AS jsonb), :received_at, :dedup_key
    FROM (SELECT pg_advisory_xact_lock(110015, hashtext(:dedup_key))) AS locked
    WHERE NOT EXISTS (
        SELECT 1 FROM unit_events
        WHERE dedup_key = :dedup_key
          AND received_at > CAST(:received_at AS timestamptz) - make_interval(secs => :window_s)
          AND received_at <= CAST(:received_at AS timestamptz) + make_interval(secs => :window_s)
    )
    RETURNING id
    """
)
# A link report applies only if it is not older than the state it would replace, so a lwt
# and a fix of one batch, or a retained state read again, land in the order they happened.
UPDATE_LINK = text(
    """
    UPDATE units SET link_connected = :connected, link_changed_at = :at, link_reason = NULL
    WHERE id = :unit_id AND (link_changed_at IS NULL OR link_changed_at <= :at)
      AND (link_connected IS DISTINCT FROM :connected OR link_changed_at IS NULL)
    """
)
log = logging.getLogger("siaga.ingest")


@dataclass(slots=True)
class StagedFix:
    unit_id: int
    fix: Fix
    received_at: float


def write_fixes(session: Session, fixes: list[StagedFix]) -> int:
    """Stage fixes with COPY, append to history, move latest forward; return rows inserted."""
    if not fixes:
        return 0
    session.execute(CREATE_STAGE)
    buffer = io.StringIO()
    # str() of a float is its shortest exact form, so nothing is rounded on the way.
    csv.writer(buffer).writerows(
        (
            s.unit_id,
            s.fix.fixed_at,
            s.received_at,
            s.fix.lon,
            s.fix.lat,
            s.fix.speed_mps,
            s.fix.heading_deg,
            s.fix.accuracy_m,
            s.fix.raw,
        )
        for s in fixes
    )
    buffer.seek(0)
    raw_conn = session.connection().connection.driver_connection
    with raw_conn.cursor() as cursor:  # type: ignore[union-attr]
        cursor.copy_expert(COPY_STAGE, buffer)
    inserted = session.execute(INSERT_HISTORY).rowcount  # type: ignore[attr-defined]
    session.execute(UPSERT_LATEST)
    return inserted


def add_reject_counts(session: Session, counts: Counter[str], *, day: date | None = None) -> None:
    """Add rejected-message counts by reason to today's (UTC) totals."""
    day = day or datetime.now(UTC).date()
    for reason, count in sorted(counts.items()):
        if count:
            session.execute(ADD_REJECTS, {"day": day, "reason": reason, "count": count})


def store_event(
    session: Session,
    *,
    unit_id: int,
    call_sign: str,
    kind: str,
    job_id: str | None,
    status: str | None,
    payload: dict,
    topic: str,
    raw: bytes,
    received_at: datetime,
    dedup_window_s: float = 600.0,
) -> bool:
    """Store an /ack or /status report and apply a status change; False if the same report
    (topic and payload) was stored within dedup_window_s."""
    dedup_key = hashlib.md5(topic.encode() + b"\0" + raw).hexdigest()  # noqa: S324 (not security)
    params = {
        "unit_id": unit_id,
        "kind": kind,
        "job_id": job_id,
        "status": status,
        "payload": json.dumps(payload),
        "received_at": received_at,
        "dedup_key": dedup_key,
        "window_s": dedup_window_s,
    }
    if session.execute(INSERT_EVENT, params).scalar_one_or_none() is None:
        return False
    report = tracker_report(status)
    if kind == "status" and report is not None and report.unit_status is not None:
        _apply_tracker_status(
            session, unit_id=unit_id, status=report.unit_status, call_sign=call_sign
        )
    return True


def _apply_tracker_status(session: Session, *, unit_id: int, status: str, call_sign: str) -> None:
    try:
        with session.begin_nested():
            set_unit_status(
                session,
                unit_id=unit_id,
                status=status,
                reason="laporan tracker",
                actor=f"tracker:{call_sign}",
            )
    except (Conflict, InvalidInput) as exc:
        # Stored as an event all the same; dispatch sees the report, the status stays.
        log.warning("status report of %s not applied: %s", call_sign, exc.message)


def store_link(session: Session, *, unit_id: int, connected: bool, at: datetime) -> bool:
    """Apply a link report (online/offline, an OwnTracks will or fix) unless a newer one holds."""
    params = {"unit_id": unit_id, "connected": connected, "at": at}
    return bool(session.execute(UPDATE_LINK, params).rowcount)  # type: ignore[attr-defined]
