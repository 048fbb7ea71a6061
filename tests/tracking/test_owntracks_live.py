"""OwnTracks apps on the real broker and database: the will marks the link down, a location
or status marks it up (and the unit recommendable), the app's other types are understood and
counted, sealed messages are opened with the unit's key, oversize messages rejected.

Payloads are the captured files of tests/tracking/payloads with `tst` set to now (the filters
refuse fixes older than two days)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from sqlalchemy import text

from core.db import make_session_factory, session_scope
from dispatch.recommend import nearby_units
from tests.conftest import wait_until
from tests.tracking.factories import make_unit
from tests.tracking.live import Publisher, count_positions, running_worker
from tests.tracking.test_decode import SECRET, payload
from tracking.models import Unit
from tracking.trackers import set_owntracks_key, set_tracker_kind

LON, LAT = 116.8311207, -1.2660391  # owntracks_location_android.json
UNDERSTOOD = {  # subtopic -> payload file, as the apps publish them (booklet "Topics")
    "event": "owntracks_transition.json",
    "info": "owntracks_card.json",
    "waypoint": "owntracks_waypoint.json",
    "waypoints": "owntracks_waypoints.json",
    "cmd": "owntracks_cmd.json",
    "step": "owntracks_steps.json",
    "beacon": "owntracks_beacon.json",
}


def now_payload(name: str, **changes: object) -> bytes:
    body = json.loads(payload(name))
    if "tst" in body:
        body["tst"] = int(time.time())
    return json.dumps(body | changes).encode()


def link_state(engine, unit_id: int) -> bool:  # noqa: ANN001
    with session_scope(make_session_factory(engine)) as session:
        return session.get(Unit, unit_id).link_connected


def recommendable(engine, unit_id: int, stale_s: float) -> bool:  # noqa: ANN001
    with session_scope(make_session_factory(engine)) as session:
        ready, _ = nearby_units(
            session, lon=LON, lat=LAT, stale_s=stale_s, now=datetime.now(UTC), limit=500
        )
        return unit_id in {row["id"] for row in ready}


def test_owntracks_will_location_status_and_other_types(settings, engine):
    settings = settings.model_copy(
        update={"owntracks_topic_root": f"{settings.mqtt_topic_root}/owntracks"}
    )
    with session_scope(make_session_factory(engine)) as session:
        unit, keyless = make_unit(session), make_unit(session)
        set_tracker_kind(session, unit=unit, tracker_kind="owntracks")
        set_owntracks_key(session, unit=unit, passphrase=SECRET)
        unit_id, sign, keyless_sign = unit.id, unit.call_sign, keyless.call_sign
    base = f"{settings.owntracks_topic_root}/unit-{sign}/hp"
    stale_s = settings.unit_fix_stale_s
    with running_worker(settings) as worker:
        pub = Publisher(settings)
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        pub.publish(base, now_payload("owntracks_location_android.json"))
        wait_until(lambda: link_state(engine, unit_id), message="location marks the link up")
        assert count_positions(engine, [unit_id]) == 1
        assert recommendable(engine, unit_id, stale_s)

        pub.publish(base, payload("owntracks_lwt.json"))  # the broker publishes the will
        wait_until(lambda: not link_state(engine, unit_id), message="lwt marks the link down")
        assert not recommendable(engine, unit_id, stale_s)

        pub.publish(f"{base}/status", payload("owntracks_status_android.json"))
        wait_until(lambda: link_state(engine, unit_id), message="status marks the link up")
        assert recommendable(engine, unit_id, stale_s)

        # The project's own location topic takes the same OwnTracks messages.
        project = f"{settings.mqtt_topic_root}/units/{sign}/location"
        pub.publish(project, payload("owntracks_lwt.json"))
        wait_until(lambda: not link_state(engine, unit_id), message="lwt on the project topic")

        for subtopic, name in UNDERSTOOD.items():
            pub.publish(f"{base}/{subtopic}", payload(name))
        sealed = json.dumps(_sealed_now()).encode()
        pub.publish(base, sealed)
        pub.publish(f"{settings.owntracks_topic_root}/unit-{keyless_sign}/hp", sealed)
        pub.publish(base, now_payload("owntracks_location.json", pad="x" * 20000))
        pub.close()
        wait_until(lambda: count_positions(engine, [unit_id]) == 2, message="sealed fix stored")
        wait_until(lambda: worker.counters["received"] >= 14, message="all handled")
        wait_until(lambda: link_state(engine, unit_id), message="sealed location: link up")
        rejects, ignored = dict(worker.rejects), dict(worker.ignored)
    assert rejects == {"encrypted_no_key": 1, "oversize": 1}
    assert ignored == {
        f"owntracks_{json.loads(payload(n))['_type']}": 1 for n in UNDERSTOOD.values()
    }
    with session_scope(make_session_factory(engine)) as session:
        counts = dict(
            session.execute(
                text("SELECT reason, sum(count) FROM ingest_reject_counts GROUP BY reason")
            ).all()
        )
    assert counts["oversize"] >= 1 and counts["encrypted_no_key"] >= 1


def _sealed_now() -> dict:
    """owntracks_location_android.json with tst = now, sealed as the apps do."""
    import base64

    from nacl.secret import SecretBox

    from tracking.decode import owntracks_key

    inner = now_payload(
        "owntracks_location_android.json", lat=LAT + 0.0002, tst=int(time.time()) + 5
    )
    box = SecretBox(owntracks_key(SECRET)).encrypt(inner)
    return {"_type": "encrypted", "data": base64.b64encode(bytes(box)).decode()}


def test_a_unit_created_while_the_worker_runs_has_its_first_fix_stored(settings, engine):
    settings = settings.model_copy(
        update={"owntracks_topic_root": f"{settings.mqtt_topic_root}/owntracks"}
    )
    with running_worker(settings) as worker:
        pub = Publisher(settings)
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        # The worker has resolved other units already; this one it has never seen.
        with session_scope(make_session_factory(engine)) as session:
            unit = make_unit(session)
            unit_id, sign = unit.id, unit.call_sign
        pub.publish(
            f"{settings.owntracks_topic_root}/unit-{sign}/hp",
            now_payload("owntracks_location_android.json"),
        )
        pub.close()
        wait_until(lambda: count_positions(engine, [unit_id]) == 1, message="first fix stored")
        assert "unknown_unit" not in worker.rejects


def test_a_retained_location_read_again_after_the_will_keeps_the_link_down(settings, engine):
    """The apps publish locations retained (pubRetain) and their will not (willRetain): a new
    worker (a new consumer of the ingest stream) must not take the phone's last location for
    news; it starts at the reports that arrive after it is made."""
    settings = settings.model_copy(
        update={"owntracks_topic_root": f"{settings.mqtt_topic_root}/owntracks"}
    )
    with session_scope(make_session_factory(engine)) as session:
        unit, marker = make_unit(session), make_unit(session)
        unit_id, sign, marker_id = unit.id, unit.call_sign, marker.id
        marker_sign = marker.call_sign
    topic = f"{settings.owntracks_topic_root}/unit-{sign}/hp"
    marker_topic = f"{settings.owntracks_topic_root}/unit-{marker_sign}/hp"
    pub = Publisher(settings)
    try:
        with running_worker(settings) as worker:
            wait_until(worker.subscribed.is_set, message="worker subscribed")
            location = now_payload("owntracks_location_android.json")
            pub.client.publish(topic, location, qos=1, retain=True).wait_for_publish(10)
            wait_until(lambda: link_state(engine, unit_id), message="link up")
            pub.publish(topic, payload("owntracks_lwt.json"))
            wait_until(lambda: not link_state(engine, unit_id), message="will: link down")
        with running_worker(settings) as again:
            wait_until(again.subscribed.is_set, message="worker subscribed")
            # Another phone's location, after anything the new worker could read again.
            pub.publish(marker_topic, now_payload("owntracks_location_android.json"))
            wait_until(lambda: link_state(engine, marker_id), message="marker link up")
            assert not link_state(engine, unit_id)
    finally:
        pub.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
        pub.close()
