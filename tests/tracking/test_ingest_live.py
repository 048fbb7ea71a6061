"""The ingest worker on the real broker and database: fixes, bad input, events, heartbeat."""

from __future__ import annotations

import time

from sqlalchemy import text

from core.db import make_session_factory, session_scope
from core.heartbeat import list_beats
from core.mqtt import connect, make_client
from tests.conftest import wait_until
from tests.tracking.factories import make_unit
from tests.tracking.live import Publisher, count_positions, running_worker
from tracking.jobs import unit_topic
from tracking.models import Unit, UnitEvent


def test_worker_stores_fixes_rejects_bad_input_and_applies_reports(settings, engine):
    with session_scope(make_session_factory(engine)) as session:
        unit = make_unit(session)
        unit_id, sign = unit.id, unit.call_sign
    root = settings.mqtt_topic_root
    now = time.time()
    with running_worker(settings) as worker:
        pub = Publisher(settings)
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        loc = unit_topic(root, sign, "location")
        for i in range(50):
            pub.publish(loc, {"lon": 116.84 + i * 1e-5, "lat": -1.26, "fixed_at": now - 50 + i})
        pub.publish(loc, {"lon": 116.84, "lat": -1.26, "fixed_at": now - 50})  # duplicate
        pub.publish(loc, b"not json")
        pub.publish(loc, {"lon": 0, "lat": 0, "fixed_at": now})
        pub.publish(loc, {"lon": 116.84, "lat": -1.26, "fixed_at": now + 7200})
        pub.publish(unit_topic(root, "NOBODY-1", "location"), {"lon": 1, "lat": 1, "fixed_at": now})
        pub.publish(unit_topic(root, sign, "link"), b"online")
        pub.publish(unit_topic(root, sign, "ack"), {"job_id": "J-1", "acked_at": "x"})
        pub.publish(unit_topic(root, sign, "status"), {"status": "off_duty", "job_id": None})
        pub.close()
        wait_until(lambda: count_positions(engine, [unit_id]) == 50, message="50 fixes stored")
        wait_until(lambda: worker.counters["received"] >= 58, message="all messages handled")
        rejects = dict(worker.rejects)
        wait_until(lambda: beat_stored(engine, worker.instance) >= 50, message="heartbeat counters")
    assert rejects == {
        "duplicate": 1,
        "malformed": 1,
        "zero_coordinates": 1,
        "future_fix": 1,
        "unknown_unit": 1,
    }
    with session_scope(make_session_factory(engine)) as session:
        unit = session.get(Unit, unit_id)
        assert unit.link_connected and unit.status == "off_duty"
        kinds = sorted(e.kind for e in session.query(UnitEvent).filter_by(unit_id=unit_id))
        assert kinds == ["ack", "status"]
        latest = session.execute(
            text("SELECT extract(epoch FROM fixed_at) FROM unit_positions_latest WHERE unit_id=:u"),
            {"u": unit_id},
        ).scalar_one()
        assert float(latest) == round(now - 1, 6) or abs(float(latest) - (now - 1)) < 1e-3
        counts = dict(
            session.execute(
                text("SELECT reason, sum(count) FROM ingest_reject_counts GROUP BY reason")
            ).all()
        )
        assert counts["malformed"] >= 1 and counts["unknown_unit"] >= 1


def test_retained_link_state_is_read_at_start(settings, engine):
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        unit = make_unit(session)
        unit_id, sign = unit.id, unit.call_sign
    topic = unit_topic(settings.mqtt_topic_root, sign, "link")
    pub = Publisher(settings)
    pub.client.publish(topic, b"online", qos=1, retain=True).wait_for_publish(10)

    def connected() -> bool:
        with session_scope(sessions) as session:
            return session.get(Unit, unit_id).link_connected

    try:
        with running_worker(settings):
            wait_until(connected, message="retained online state applied")
    finally:
        pub.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
        pub.close()


def beat_stored(engine, instance: str) -> int:  # noqa: ANN001
    """`stored` counter of a worker's latest heartbeat (what /health shows)."""
    with session_scope(make_session_factory(engine)) as session:
        beats = [b for b in list_beats(session, "ingest") if b["instance"] == instance]
        return int(beats[0]["detail"].get("stored", 0)) if beats else 0


def test_last_will_marks_a_vanished_tracker_offline(settings, engine):
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        unit = make_unit(session)
        unit_id, sign = unit.id, unit.call_sign
    topic = unit_topic(settings.mqtt_topic_root, sign, "link")
    tracker, target, props = make_client(
        settings.mqtt_dsn(), f"test-tracker-{sign}", persistent=False
    )
    tracker.will_set(topic, b"offline", qos=1, retain=False)

    def connected() -> bool:
        with session_scope(sessions) as session:
            return session.get(Unit, unit_id).link_connected

    with running_worker(settings) as worker:
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        connect(tracker, target, props, persistent=False)
        tracker.loop_start()
        wait_until(tracker.is_connected, message="tracker connected")
        tracker.publish(topic, b"online", qos=1).wait_for_publish(10)
        wait_until(connected, message="online")
        tracker.loop_stop()
        tracker.socket().close()  # gone without DISCONNECT: the broker sends the will
        wait_until(lambda: not connected(), message="offline from the last will")
