"""The piket worker: escalates unacknowledged forwards, makes and flags due daily reports,
numbers LPs a crashed desk left pending."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.db import make_engine, make_session_factory, session_scope
from core.heartbeat import record_beat
from core.settings import Settings
from piket.forwards import escalate_overdue_forwards
from piket.report import run_due_reports
from spkt.laporan_polisi import number_stale_pending

log = logging.getLogger("siaga.piket.worker")
HEARTBEAT_EVERY_S = 5.0
# Reports are checked less often than forwards: their clock is in minutes.
REPORT_EVERY_S = 30.0


def run_tick(
    session: Session, settings: Settings, *, reports: bool, now: datetime | None = None
) -> dict[str, int]:
    """One pass; the caller commits."""
    now = now or datetime.now(UTC)
    counts = {"forwards_escalated": len(escalate_overdue_forwards(session, now=now))}
    # LPs a desk left without their number (it died between its two steps): the SPKT desk
    # works the same shifts, so the duty worker sweeps them (spkt/laporan_polisi.py).
    counts["lps_numbered"] = number_stale_pending(session, now=now)
    if reports:
        done = run_due_reports(session, settings, now=now)
        counts.update(reports_made=len(done["made"]), reports_flagged=len(done["flagged"]))
    return counts


def run_worker(
    settings: Settings, *, tick_s: float = 5.0, stop: threading.Event | None = None
) -> None:
    """Run checks every tick_s until `stop` is set (or forever)."""
    stop = stop or threading.Event()
    engine = make_engine(settings, pool_size=1)
    factory = make_session_factory(engine)
    instance = f"{socket.gethostname()}-{os.getpid()}"
    started_at, last_beat, last_reports = datetime.now(UTC), 0.0, 0.0
    log.info("piket worker %s started (tick %.1f s)", instance, tick_s)
    try:
        while not stop.is_set():
            try:
                reports = time.monotonic() - last_reports >= REPORT_EVERY_S
                with session_scope(factory) as session:
                    counts = run_tick(session, settings, reports=reports)
                last_reports = time.monotonic() if reports else last_reports
                if any(counts.values()):
                    log.info("tick: %s", counts)
                if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
                    with session_scope(factory) as session:
                        record_beat(
                            session,
                            service="piket",
                            instance=instance,
                            started_at=started_at,
                            detail=counts,
                        )
                    last_beat = time.monotonic()
            except Exception:  # the loop must survive a bad row or a lost connection
                log.exception("piket tick failed")
            stop.wait(tick_s)
    finally:
        engine.dispose()
