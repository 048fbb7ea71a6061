"""A Traccar Client that falls silent: its link goes down after the configured silence, with
the reason, logged once, and up again with its next report. Through the trackers' own
listener, the broker, a running ingest worker, a running dispatch worker and the database;
the screens (live map, unit list) and recommendation read the one link state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.tracker_app import create_tracker_app
from core.db import make_session_factory, session_scope
from core.settings import Settings
from dispatch.recommend import exclusion_reasons, nearby_units
from dispatch.worker import run_worker
from tests.api.test_trackers_http import android_query
from tests.conftest import wait_until
from tests.tracking.factories import make_unit
from tests.tracking.live import Publisher, running_worker
from tracking.devices import issue_device
from tracking.jobs import unit_topic
from tracking.link_freshness import mark_silent_links_down
from tracking.schemas import UnitOut
from tracking.service import list_units
from webmap.service import list_live_units

SILENCE_S = 3.0
SPOT = (116.831207, -1.265431)  # where the captured query puts the phone


@pytest.fixture
def running(settings: Settings) -> Iterator[tuple[Settings, TestClient]]:
    """The trackers' listener, an ingest worker and a dispatch worker, all running."""
    quick = settings.model_copy(update={"tracker_http_silence_s": SILENCE_S})
    stop = threading.Event()
    dispatch = threading.Thread(
        target=run_worker, args=(quick,), kwargs={"tick_s": 0.2, "stop": stop}, daemon=True
    )
    app = create_tracker_app(quick)
    with running_worker(quick) as worker, TestClient(app) as client:
        wait_until(worker.subscribed.is_set, 15, message="worker subscribed")
        wait_until(app.state.broker.client.is_connected, 15, message="listener broker link")
        dispatch.start()
        try:
            yield quick, client
        finally:
            stop.set()
            dispatch.join(timeout=15)


@pytest.fixture
def phone(engine: Engine, settings: Settings) -> Iterator[tuple[int, str, str]]:
    """A committed unit with a Traccar Client device; removed (with its fixes) afterwards."""
    with session_scope(make_session_factory(engine)) as session:
        unit = make_unit(session)
        _, identifier = issue_device(session, call_sign=unit.call_sign, protocol="osmand")
        unit_id, call_sign = unit.id, unit.call_sign
    yield unit_id, call_sign, identifier
    pub = Publisher(settings)
    topic = unit_topic(settings.mqtt_topic_root, call_sign, "link")
    pub.infos.append(pub.client.publish(topic, b"", qos=1, retain=True))
    pub.close()
    _forget(engine, unit_id)


def seen(engine: Engine, settings: Settings, unit_id: int) -> dict[str, bool]:
    """The unit's link as each reader sees it: live map, unit list, recommendation."""
    with session_scope(make_session_factory(engine)) as session:
        stale_s = settings.unit_fix_stale_s
        live = {u["id"]: u for u in list_live_units(session, stale_after_s=stale_s)}
        listed = {v.unit.id: v for v in list_units(session, stale_s=stale_s)}
        now = datetime.now(UTC)
        ready, _ = nearby_units(session, lon=SPOT[0], lat=SPOT[1], stale_s=stale_s, now=now,
                                limit=200)  # fmt: skip
        return {
            "live_map": live[unit_id]["link_connected"],
            "unit_list": listed[unit_id].unit.link_connected,
            "recommended": unit_id in [row["id"] for row in ready],
        }


def reasons(engine: Engine, settings: Settings, unit_id: int) -> dict:
    """Why the link is down, per reader (live map, /api/units' model, recommendation)."""
    with session_scope(make_session_factory(engine)) as session:
        stale_s = settings.unit_fix_stale_s
        live = {u["id"]: u for u in list_live_units(session, stale_after_s=stale_s)}[unit_id]
        [view] = [v for v in list_units(session, stale_s=stale_s) if v.unit.id == unit_id]
        listed = UnitOut.of(view)
        now = datetime.now(UTC)
        _, left_out = nearby_units(session, lon=SPOT[0], lat=SPOT[1], stale_s=stale_s, now=now,
                                   limit=200)  # fmt: skip
        row = [r for r in left_out if r["id"] == unit_id]
        return {
            "live_map": (live["link_reason"], live["link_reason_text"]),
            "unit_list": (listed.link_reason, listed.link_reason_text),
            "excluded": exclusion_reasons(row[0], stale_s)[0] if row else None,
        }


def report(client: TestClient, identifier: str) -> float:
    at = time.time()
    answer = client.get(f"/?{android_query('client_android_query.txt', identifier, at)}")
    assert answer.status_code == 200, answer.text
    return at


UP = {"live_map": True, "unit_list": True, "recommended": True}
DOWN = {"live_map": False, "unit_list": False, "recommended": False}


def test_a_silent_traccar_client_goes_down_after_the_silence_and_up_with_its_next_fix(
    running, phone, engine: Engine, caplog: pytest.LogCaptureFixture
):
    settings, client = running
    unit_id, call_sign, identifier = phone
    caplog.set_level(logging.WARNING, logger="siaga.tracking.link")
    sent_at = report(client, identifier)
    wait_until(lambda: seen(engine, settings, unit_id) == UP, 15, message="link up")
    # Silent from now on: down once the silence has passed, and not before.
    wait_until(lambda: seen(engine, settings, unit_id) == DOWN, SILENCE_S + 15, message="down")
    assert time.time() - sent_at >= SILENCE_S
    falls = [r for r in caplog.records if f"unit {call_sign}:" in r.getMessage()]
    assert len(falls) == 1, [r.getMessage() for r in falls]
    assert "(no_fix)" in falls[0].getMessage() and "HTTP tracker silent" in falls[0].getMessage()
    # The reason, as the screens and recommendation give it.
    assert reasons(engine, settings, unit_id) == {
        "live_map": ("no_fix", "pelacak HTTP tidak melapor"),
        "unit_list": ("no_fix", "pelacak HTTP tidak melapor"),
        "excluded": "pelacak tidak terhubung (pelacak HTTP tidak melapor)",
    }
    # A later sweep finds nothing more to mark: the fall is logged once.
    with session_scope(make_session_factory(engine)) as session:
        again = mark_silent_links_down(session, silence_s=SILENCE_S)
    assert unit_id not in [link.unit_id for link in again]
    # The next report raises it again, for the screens and recommendation alike.
    report(client, identifier)
    wait_until(lambda: seen(engine, settings, unit_id) == UP, 15, message="link up again")
    falls = [r for r in caplog.records if f"unit {call_sign}:" in r.getMessage()]
    assert len(falls) == 1
    assert reasons(engine, settings, unit_id)["unit_list"] == (None, None)


def test_a_new_ingest_session_does_not_raise_a_link_that_fell_silent(
    running, phone, engine: Engine
):
    """The listener's "online" is not retained: a worker starting afresh (a new session reads
    the retained messages) leaves the silent unit down."""
    settings, client = running
    unit_id, _, identifier = phone
    report(client, identifier)
    wait_until(lambda: seen(engine, settings, unit_id)["unit_list"], 15, message="link up")
    wait_until(lambda: not seen(engine, settings, unit_id)["unit_list"], SILENCE_S + 15,
               message="link down")  # fmt: skip
    with running_worker(settings) as fresh:
        wait_until(fresh.subscribed.is_set, 15, message="fresh worker subscribed")
        # A marker fix of another unit through the fresh worker: it has read its backlog.
        marker_id = _marker(engine, settings)
        try:
            wait_until(lambda: _has_fix(engine, marker_id), 15, message="marker stored")
        finally:
            _forget(engine, marker_id)
    assert seen(engine, settings, unit_id) == DOWN


def _marker(engine: Engine, settings: Settings) -> int:
    with session_scope(make_session_factory(engine)) as session:
        marker = make_unit(session)
        marker_id, sign = marker.id, marker.call_sign
    pub = Publisher(settings)
    fix = {"lon": 106.8, "lat": -6.2, "fixed_at": time.time()}
    pub.publish(unit_topic(settings.mqtt_topic_root, sign, "location"), fix)
    pub.close()
    return marker_id


def _has_fix(engine: Engine, unit_id: int) -> bool:
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM unit_positions_latest WHERE unit_id = :u")
        return bool(conn.execute(query, {"u": unit_id}).scalar_one())


def _forget(engine: Engine, unit_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM unit_positions WHERE unit_id = :u"), {"u": unit_id})
        conn.execute(text("DELETE FROM units WHERE id = :u"), {"u": unit_id})
