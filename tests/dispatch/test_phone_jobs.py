"""A unit whose tracker cannot acknowledge jobs (OwnTracks, hardware): its link follows the
app's will and fixes, it is recommended like any unit, its job is shown and acknowledged on
the crew's phone page, and it is never re-sent on MQTT (the operator is alerted once)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from core.db import make_session_factory, session_scope
from core.mqtt import BrokerLink
from dispatch.log import list_log
from dispatch.models import Assignment
from dispatch.monitor import resend_unacknowledged
from tests.conftest import wait_until
from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body, make_unit
from tests.tracking.live import Publisher, running_worker
from tests.tracking.test_decode import payload
from tracking.models import Unit
from tracking.service import create_unit


@pytest.fixture
def link(settings):  # noqa: ANN001, ANN201
    broker = BrokerLink(settings.mqtt_dsn(), f"test-phone-{uuid.uuid4().hex[:6]}")
    broker.start()
    wait_until(lambda: broker.connected, message="broker link")
    yield broker
    broker.stop()


@pytest.fixture
def phone_unit(engine) -> Iterator[tuple[int, str]]:  # noqa: ANN001
    """A committed OwnTracks unit (the worker must see it), deleted after the test.

    Requested before db_session, so it is deleted after that transaction is rolled back (the
    test's transaction holds the unit's row); left behind it would be recommended elsewhere.
    """
    with session_scope(make_session_factory(engine)) as session:
        phone = create_unit(
            session, call_sign=f"OT-{uuid.uuid4().hex[:8]}", kind="R2", tracker_kind="owntracks"
        )
        ids = phone.id, phone.call_sign
    yield ids
    with session_scope(make_session_factory(engine)) as session:
        session.execute(delete(Unit).where(Unit.id == ids[0]))


def _location(lon: float, lat: float, tst: int) -> bytes:
    """owntracks_location_android.json at the given place and time."""
    return json.dumps(json.loads(payload("owntracks_location_android.json")) | {
        "lon": lon, "lat": lat, "tst": tst,
    }).encode()  # fmt: skip


def _recommended(api_client, incident_id: int) -> tuple[set[int], dict[int, str]]:  # noqa: ANN001
    body = api_client.get(f"/api/incidents/{incident_id}/recommendations").json()
    excluded = {e["unit_id"]: " ".join(e["reasons"]) for e in body["excluded"]}
    return {r["unit_id"] for r in body["recommendations"]}, excluded


def _linked(engine, unit_id: int, state: bool) -> bool:  # noqa: ANN001
    with session_scope(make_session_factory(engine)) as session:
        return session.get(Unit, unit_id).link_connected is state


def test_owntracks_unit_is_recommended_and_acknowledges_on_the_phone_page(
    phone_unit, api_client, user_client, db_session, area, settings, engine, job_listener, link
) -> None:
    settings = settings.model_copy(
        update={"owntracks_topic_root": f"{settings.mqtt_topic_root}/owntracks"}
    )
    phone_id, sign = phone_unit
    siaga = make_unit(db_session, lon=INCIDENT_LON + 0.004, lat=INCIDENT_LAT, home=area.polsek_west)
    created = api_client.post("/api/incidents", json=incident_body()).json()
    base = f"/api/incidents/{created['id']}"
    api_client.post(f"{base}/validate", json={"validity": "valid"})
    topic = f"{settings.owntracks_topic_root}/unit-{sign}/hp"
    now = int(time.time())
    with running_worker(settings) as worker:
        pub = Publisher(settings)
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        assert not _linked(engine, phone_id, True)  # a new unit: no link yet
        pub.publish(topic, _location(INCIDENT_LON + 0.002, INCIDENT_LAT, now - 5))
        wait_until(lambda: _linked(engine, phone_id, True), message="location: link up")
        ready, _ = _recommended(api_client, created["id"])
        assert phone_id in ready
        pub.publish(topic, payload("owntracks_lwt.json"))
        wait_until(lambda: _linked(engine, phone_id, False), message="lwt: link down")
        ready, excluded = _recommended(api_client, created["id"])
        assert phone_id not in ready and "tidak terhubung" in excluded[phone_id]
        pub.publish(topic, _location(INCIDENT_LON + 0.0021, INCIDENT_LAT, now))
        wait_until(lambda: _linked(engine, phone_id, True), message="back: link up")
        assert phone_id in _recommended(api_client, created["id"])[0]
        pub.close()
    # Its home only now: a row this test's transaction touches would block the worker's writes.
    db_session.get(Unit, phone_id).home_jurisdiction_id = area.polsek_west.id
    db_session.flush()
    assigned = api_client.post(f"{base}/assignments", json={"unit_ids": [phone_id, siaga.id]})
    assert assigned.status_code == 201, assigned.text
    mine = next(a for a in assigned.json() if a["unit_id"] == phone_id)
    log = [e.message for e in list_log(db_session, incident_id=created["id"])]
    assert f"Unit {sign} ditugaskan; tugas tampil di halaman unit" in " ".join(log)
    # The jobs are published in unit order; the OwnTracks unit's is never published at all.
    wait_until(lambda: job_listener.jobs_for(siaga.call_sign), message="MQTT job")
    assert job_listener.jobs_for(sign) == []

    sent = db_session.scalar(select(Assignment.last_sent_at).where(Assignment.id == mine["id"]))
    kwargs = {"topic_root": settings.mqtt_topic_root, "ack_timeout_s": 20, "max_sends": 2}
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=21), **kwargs) == (
        1,
        0,
    )  # only the MQTT tracker's job is re-sent
    wait_until(lambda: len(job_listener.jobs_for(siaga.call_sign)) == 2, message="re-sent")
    assert job_listener.jobs_for(sign) == []

    crew = user_client("unit", unit_id=phone_id, jurisdiction_id=area.polsek_west.id)
    shown = crew.get("/api/me/job").json()
    assert shown["job"]["id"] == mine["id"] and shown["job"]["status"] == "sent"
    ack = crew.post(f"{base}/assignments/{mine['id']}/status", json={"status": "acknowledged"})
    assert ack.status_code == 200 and ack.json()["acked_at"] is not None
    assert crew.get("/api/me/job").json()["job"]["status"] == "acknowledged"
    # Past the whole wait only the MQTT tracker that never acked is alerted.
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=45), **kwargs) == (
        0,
        1,
    )


def test_phone_unit_that_never_acknowledges_is_alerted_once(
    api_client, db_session, area, settings, link
) -> None:
    unit = make_unit(db_session, lon=INCIDENT_LON + 0.002, lat=INCIDENT_LAT, home=area.polsek_west)
    patched = api_client.patch(f"/api/units/{unit.id}", json={"tracker_kind": "hardware"})
    assert patched.status_code == 200 and patched.json()["tracker_kind"] == "hardware"
    wrong = api_client.patch(f"/api/units/{unit.id}", json={"tracker_kind": "pager"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "body.tracker_kind"
    created = api_client.post("/api/incidents", json=incident_body()).json()
    base = f"/api/incidents/{created['id']}"
    api_client.post(f"{base}/validate", json={"validity": "valid"})
    (assignment,) = api_client.post(f"{base}/assignments", json={"unit_ids": [unit.id]}).json()
    sent = db_session.get(Assignment, assignment["id"]).last_sent_at
    kwargs = {"topic_root": settings.mqtt_topic_root, "ack_timeout_s": 20, "max_sends": 2}
    for seconds in (21, 39):
        assert resend_unacknowledged(
            db_session, link, now=sent + timedelta(seconds=seconds), **kwargs
        ) == (0, 0)
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=40), **kwargs) == (
        0,
        1,
    )
    assert resend_unacknowledged(db_session, link, now=sent + timedelta(seconds=99), **kwargs) == (
        0,
        0,
    )
    last = list_log(db_session, incident_id=created["id"])[-1]
    assert last.action == "alert" and "belum mengonfirmasi tugas di halaman unit" in last.message
