"""Job push and the simulated crew: ack, en_route, on_scene, cleared, all through ingest."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.db import make_session_factory, session_scope
from core.mqtt import BrokerLink
from roads.service import Roads, roads_for, vehicle_profiles
from tests.conftest import wait_until
from tests.tracking.factories import make_unit
from tests.tracking.live import Publisher, running_worker
from tracking.driving import Drive, Planner
from tracking.fleet import patrol_unit
from tracking.jobs import job_payload, publish_job
from tracking.models import Unit, UnitEvent
from tracking.service import set_unit_status
from tracking.simulator import DEFAULT_AREA, Fleet, SimUnit, fix_payload


def test_a_drive_follows_its_points_on_time_and_fixes_have_noise():
    points = [(116.840, -1.260), (116.841, -1.260), (116.841, -1.261)]
    drive = Drive.along(points, [10.0, 10.0], started_at=100.0, on_roads=True)
    (lon, lat), heading, speed, arrived = drive.state(105.0)
    assert lon == pytest.approx(116.8405) and lat == pytest.approx(-1.260)
    assert round(heading) == 90 and 10 < speed < 12 and not arrived
    (lon, lat), heading, _, _ = drive.state(115.0)
    assert lon == pytest.approx(116.841) and round(heading) == 180
    assert drive.state(125.0)[3] and drive.state(125.0)[0] == points[-1]
    unit = SimUnit("S-1", "R4", 116.84, -1.26)
    body = json.loads(fix_payload(unit, random.Random(1), time.time()))
    assert abs(body["lon"] - unit.lon) < 1e-3 and body["accuracy_m"] >= 3
    assert json.loads(job_payload({"job_id": 5, "lon": 1, "lat": 2}))["job_id"] == "5"


def test_simulated_units_stay_on_the_streets(settings, road_data, shared_data):
    from tests.roads.streets import street_distances_m

    rng = random.Random(7)
    planner = Planner(roads_for(settings), rng)
    fixes, positions = [], []
    for i, kind in enumerate(["R4", "R2", "R4", "R2"]):
        unit = patrol_unit(planner, f"S-{i}", kind, DEFAULT_AREA, rng)
        for post in unit.posts[1:]:
            drive = planner.drive(kind, (unit.lon, unit.lat), post, now=0.0)
            assert drive.on_roads
            for t in range(0, int(drive.duration_s) + 5, 5):  # a fix every 5 s
                (unit.lon, unit.lat), *_ = drive.state(t)
                positions.append((unit.lon, unit.lat))
                body = json.loads(fix_payload(unit, rng, t))
                fixes.append((body["lon"], body["lat"]))
    assert len(positions) > 100
    assert max(street_distances_m(shared_data, positions)) < 3.0  # the drive itself: on roads
    noisy = sorted(street_distances_m(shared_data, fixes))
    assert noisy[int(len(noisy) * 0.95)] < 12.0  # 4 m GPS noise, as a phone reports


def test_job_round_trip_through_simulator_and_ingest(settings, engine):
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        unit = make_unit(session)
        set_unit_status(session, unit_id=unit.id, status="dispatched", actor="test")
        unit_id, sign = unit.id, unit.call_sign
    sim = SimUnit(sign, "R4", 116.840, -1.260)
    # Straight-line driving (no road data): this test is about the job flow through ingest.
    planner = Planner(Roads(None, vehicle_profiles(settings)), random.Random(1))
    fleet = Fleet(settings, [sim], interval_s=1.0, dwell_s=0.5, seed=1, planner=planner)
    link = BrokerLink(settings.mqtt_dsn(), f"test-dispatch-{sign}")
    with running_worker(settings) as worker:
        wait_until(worker.subscribed.is_set, message="worker subscribed")
        fleet.start()
        link.start()
        # The tracker subscribes to its jobs before it says online, so online means ready.
        wait_until(lambda: link.connected and link_connected(sessions, unit_id), message="online")
        job = {"job_id": "J-9", "incident_id": 9, "lon": 116.8403, "lat": -1.2601}
        publish_job(link, topic_root=settings.mqtt_topic_root, call_sign=sign, job=job)

        def events() -> list[tuple[str, str | None]]:
            now = time.time()
            fleet.take_jobs(now)
            fleet.step(sim, now)
            time.sleep(0.2)
            with session_scope(sessions) as session:
                rows = session.scalars(select(UnitEvent).where(UnitEvent.unit_id == unit_id))
                return [(e.kind, e.status) for e in rows.all()]

        wait_until(lambda: ("status", "cleared") in events(), 30, message="job cleared")
        link.stop()
        fleet.stop()  # publishes offline on the unit's /link topic
        wait_until(lambda: link_connected(sessions, unit_id) is False, message="link offline")
        clear_retained(settings, fleet.topic(sim, "link"))
    kinds = events()
    assert kinds[:2] == [("ack", None), ("status", "en_route")]
    # Arrival is the dispatch worker's reading of the GPS, never the simulator's own claim.
    assert ("status", "on_scene") not in kinds
    with session_scope(sessions) as session:
        unit = session.get(Unit, unit_id)
        assert unit.status == "available"


def link_connected(sessions, unit_id: int) -> bool:  # noqa: ANN001
    with session_scope(sessions) as session:
        return session.get(Unit, unit_id).link_connected


def clear_retained(settings, topic: str) -> None:  # noqa: ANN001
    """Leave no retained message behind on the shared broker."""
    pub = Publisher(settings)
    pub.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
    pub.close()


def test_live_drives_take_the_peak_factor_of_the_local_hour(settings, road_data):  # noqa: ANN001
    """A trip started at 17:00 WITA drives slower than the same trip at 11:00 WITA."""
    roads = roads_for(settings)
    peak = roads.profiles["R4"].peak_factor
    start, target = (116.8300, -1.2700), (116.8520, -1.2560)
    route_s = roads.engine.route("R4", start, target).leg.duration_s
    durations = {}
    for label, utc_hour in (("off_peak", 3), ("peak", 9)):  # 11:00 and 17:00 WITA
        now = datetime(2026, 12, 3, utc_hour, 0, tzinfo=UTC).timestamp()
        sim = SimUnit("P-1", "R4", *start)
        fleet = Fleet(
            settings,
            [sim],
            interval_s=5,
            dwell_s=60,
            seed=3,
            planner=Planner(roads, random.Random(3)),
            timezone="WITA",
        )
        fleet.drive_to(sim, target, now)
        durations[label] = sim.drive.duration_s / route_s
    assert 0.95 <= durations["off_peak"] <= 1.15
    assert 0.95 * peak <= durations["peak"] <= 1.15 * peak
