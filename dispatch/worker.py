"""The dispatch worker: escalation timers, job ack timeout / re-send / alert, GPS arrival,
trackers' SOS alarms, silent HTTP trackers' links."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_session_factory, session_scope
from core.heartbeat import record_beat
from core.mqtt import BrokerLink
from core.settings import Settings
from dispatch.alarms import raise_tracker_alarms
from dispatch.escalation import escalate_overdue
from dispatch.monitor import apply_tracker_events, detect_arrivals, resend_unacknowledged
from tracking.link_freshness import mark_silent_links_down

log = logging.getLogger("siaga.dispatch.worker")
HEARTBEAT_EVERY_S = 5.0


def run_tick(session: Session, link: BrokerLink, settings: Settings) -> dict[str, int]:
    """One pass of every check; the caller commits."""
    escalated = escalate_overdue(session)
    events = apply_tracker_events(session)
    sos = raise_tracker_alarms(session, window_s=settings.tracker_alarm_window_s)
    arrived = detect_arrivals(
        session,
        radius_m=settings.dispatch_arrival_radius_m,
        dwell_s=settings.dispatch_arrival_dwell_s,
        max_accuracy_m=settings.dispatch_arrival_max_accuracy_m,
    )
    resent, alerted = resend_unacknowledged(
        session,
        link,
        topic_root=settings.mqtt_topic_root,
        ack_timeout_s=settings.dispatch_ack_timeout_s,
        max_sends=settings.dispatch_job_max_sends,
    )
    links_down = mark_silent_links_down(session, silence_s=settings.tracker_http_silence_s)
    return {
        "sos": len(sos),
        "links_down": len(links_down),
        "escalated": len(escalated),
        "events": events,
        "arrived": arrived,
        "resent": resent,
        "alerted": alerted,
    }


def _beat(factory: sessionmaker, instance: str, started_at: datetime, totals: dict) -> None:
    with session_scope(factory) as session:
        record_beat(
            session, service="dispatch", instance=instance, started_at=started_at, detail=totals
        )


def run_worker(
    settings: Settings, *, tick_s: float = 1.0, stop: threading.Event | None = None
) -> None:
    """Run checks every tick_s until `stop` is set (or forever)."""
    stop = stop or threading.Event()
    engine = make_engine(settings, pool_size=2)
    factory = make_session_factory(engine)
    instance = f"{socket.gethostname()}-{os.getpid()}"
    link = BrokerLink(settings.mqtt_dsn("dispatch"), f"siaga-dispatch-{os.getpid()}")
    link.start()
    started_at, last_beat = datetime.now(UTC), 0.0
    totals: dict[str, int] = {}
    log.info("dispatch worker %s started (tick %.1f s)", instance, tick_s)
    try:
        while not stop.is_set():
            try:
                with session_scope(factory) as session:
                    counts = run_tick(session, link, settings)
                for key, value in counts.items():
                    totals[key] = totals.get(key, 0) + value
                if any(counts.values()):
                    log.info("tick: %s", counts)
                if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
                    _beat(factory, instance, started_at, totals)
                    last_beat = time.monotonic()
            except Exception:  # the loop must survive a bad row or a lost connection
                log.exception("dispatch tick failed")
            stop.wait(tick_s)
    finally:
        link.stop()
        engine.dispose()
