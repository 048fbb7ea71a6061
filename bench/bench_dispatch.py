"""Dispatch: recommendation (KNN + road ETA) and assign -> job on the unit's MQTT client.

50,000 units, 20,000 of them available with a fresh fix; 5,000 in the Balikpapan Kota road
extract, the rest spread over Indonesia. Baselines in the same run: the bare PostGIS KNN query
and a raw QoS 1 broker round trip between the same two MQTT clients.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.common import BenchContext, Figure, median, percentile, time_calls_ms
from core.db import make_session_factory, session_scope
from core.mqtt import BrokerLink, connect, make_client
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.recommend import recommend_units
from dispatch.schemas import IncidentCreate
from jurisdictions.models import Jurisdiction
from roads.service import roads_for

UNITS, AVAILABLE, LOCAL = 50_000, 20_000, 5_000
WEST, SOUTH, EAST, NORTH = 116.806, -1.281, 116.875, -1.248

LOAD_UNITS = text(
    """
    INSERT INTO units (call_sign, kind, status, link_connected, home_jurisdiction_id, crew)
    SELECT 'BN' || g, CASE WHEN g % 10 < 4 THEN 'R2' ELSE 'R4' END,
           CASE WHEN g % 5 < 2 THEN 'available'
                ELSE (ARRAY['dispatched', 'off_duty', 'en_route'])[1 + g % 3] END,
           true, :home, '[]'
    FROM generate_series(1, :n) AS g
    """
)
# The first LOCAL units sit in the road extract; the rest anywhere in Indonesia's bounding box.
LOAD_POSITIONS = text(
    """
    INSERT INTO unit_positions_latest (unit_id, geom, fixed_at, received_at, accuracy_m)
    SELECT u.id,
           CASE WHEN substr(u.call_sign, 3)::int <= :local
                THEN ST_SetSRID(ST_MakePoint(:w + random() * (:e - :w),
                                             :s + random() * (:n - :s)), 4326)
                ELSE ST_SetSRID(ST_MakePoint(95 + random() * 46, -11 + random() * 17), 4326)
           END,
           now(), now(), 5
    FROM units u WHERE u.call_sign LIKE 'BN%'
    """
)
RAW_KNN = text(
    "SELECT unit_id FROM unit_positions_latest "
    "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 25"
)


def _jurisdictions(session: Session) -> int:
    polda = Jurisdiction(
        code="BENCH",
        name="Polda Bench (SINTETIS)",
        level="polda",
        timezone="WITA",
        response_target_s=900,
        geom=from_shape(MultiPolygon([box(94, -12, 142, 7)]), srid=4326),
    )
    session.add(polda)
    session.flush()
    polres = Jurisdiction(
        code="BENCH.1",
        name="Polres Bench (SINTETIS)",
        level="polres",
        parent_id=polda.id,
        response_target_s=600,
        geom=from_shape(MultiPolygon([box(WEST, SOUTH, EAST, NORTH)]), srid=4326),
    )
    session.add(polres)
    session.flush()
    return polres.id


def _load(ctx: BenchContext, incidents: int) -> list[int]:
    """Units, positions, and `incidents` valid incidents at random points of the road extract."""
    factory = make_session_factory(ctx.engine)
    with session_scope(factory) as session:
        home = _jurisdictions(session)
        session.execute(text("SELECT setseed(0.110)"))
        session.execute(LOAD_UNITS, {"n": UNITS, "home": home})
        bounds = {"w": WEST, "e": EAST, "s": SOUTH, "n": NORTH, "local": LOCAL}
        session.execute(LOAD_POSITIONS, bounds)
    with ctx.engine.connect() as conn:
        conn.execute(text("ANALYZE units"))
        conn.execute(text("ANALYZE unit_positions_latest"))
        conn.commit()
    with session_scope(factory) as session:
        points = session.execute(
            text(
                "SELECT :w + random() * (:e - :w), :s + random() * (:n - :s) "
                "FROM generate_series(1, :k)"
            ),
            {**bounds, "k": incidents},
        ).all()
        return [_incident(session, lon, lat, i) for i, (lon, lat) in enumerate(points)]


def _incident(session: Session, lon: float, lat: float, i: int) -> int:
    body = IncidentCreate(
        caller_name="Bench", caller_phone=f"0811{i:07d}", category="pencurian", lon=lon, lat=lat
    )
    incident = create_incident(session, data=body, actor="bench")
    validate_incident(
        session, incident_id=incident.id, validity="valid", actor="bench", accept_timeout_s=3600
    )
    return incident.id


def _recommend_figure(ctx: BenchContext, incident_ids: list[int]) -> Figure:
    roads = roads_for(ctx.settings)
    factory = make_session_factory(ctx.engine)
    repeat = 100 if ctx.quick else 1000
    with factory() as session:
        coords = [
            tuple(r)
            for r in session.execute(
                text(
                    "SELECT ST_X(geom), ST_Y(geom) FROM incidents WHERE id = ANY(:ids) ORDER BY id"
                ),
                {"ids": incident_ids},
            )
        ]
        state = {"i": 0}

        def recommend() -> None:
            state["i"] += 1
            recommend_units(
                session,
                incident_id=incident_ids[state["i"] % len(incident_ids)],
                roads=roads,
                stale_s=ctx.settings.unit_fix_stale_s,
            )

        def raw() -> None:
            state["i"] += 1
            lon, lat = coords[state["i"] % len(coords)]
            session.execute(RAW_KNN, {"lon": lon, "lat": lat}).all()

        ours = time_calls_ms(recommend, repeat)
        base = time_calls_ms(raw, repeat)
        session.rollback()
    return Figure(
        "recommend_p99_ms",
        percentile(ours, 99),
        "ms",
        "postgis_knn25_p99_ms",
        percentile(base, 99),
        note=f"median {median(ours):.1f} ms (raw KNN {median(base):.2f} ms); "
        f"{UNITS:,} units, {AVAILABLE:,} available; road ETAs "
        f"{'on (OSRM table)' if roads.engine else 'OFF (run siaga roads build)'}; "
        "includes the exclusions query",
    )


class _Receiver:
    """An MQTT client subscribed to every unit's /jobs topic; records arrival times."""

    def __init__(self, ctx: BenchContext) -> None:
        self.arrived: dict[str, float] = {}
        self.events: dict[str, threading.Event] = {}
        self.client, target, props = make_client(
            ctx.settings.mqtt_dsn(), f"bench-rx-{uuid.uuid4().hex[:6]}", persistent=False
        )
        ready = threading.Event()
        root = ctx.settings.mqtt_topic_root
        self.client.on_connect = lambda c, *_: c.subscribe(f"{root}/units/+/jobs", qos=1)
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.on_message = self._on_message
        connect(self.client, target, props, persistent=False)
        self.client.loop_start()
        ready.wait(10)

    def expect(self, call_sign: str) -> threading.Event:
        self.events[call_sign] = threading.Event()
        return self.events[call_sign]

    def _on_message(self, client, userdata, message) -> None:  # noqa: ANN001
        call_sign = message.topic.split("/")[-2]
        self.arrived[call_sign] = time.perf_counter()
        if call_sign in self.events:
            self.events[call_sign].set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _assign_samples(ctx: BenchContext, receiver: _Receiver, incident_ids: list[int]) -> list[float]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.deps import Scope, require_access

    app = create_app(ctx.settings)
    # The policy/token check is the security layer's cost, measured in its own benchmark.
    app.dependency_overrides[require_access] = lambda: Scope()
    with ctx.engine.connect() as conn:
        units = conn.execute(
            text(
                "SELECT u.id, u.call_sign FROM units u "
                "JOIN unit_positions_latest p ON p.unit_id = u.id "
                "WHERE u.status = 'available' AND substr(u.call_sign, 3)::int <= :local "
                "ORDER BY u.id LIMIT :k"
            ),
            {"local": LOCAL, "k": len(incident_ids)},
        ).all()
    samples = []
    with TestClient(app) as client:
        time.sleep(0.5)  # let the app's broker link connect
        for incident_id, (unit_id, call_sign) in zip(incident_ids, units, strict=False):
            done = receiver.expect(call_sign)
            start = time.perf_counter()
            response = client.post(
                f"/api/incidents/{incident_id}/assignments", json={"unit_ids": [unit_id]}
            )
            if response.status_code != 201 or not done.wait(5):
                raise RuntimeError(f"assignment failed: {response.status_code} {response.text}")
            samples.append((receiver.arrived[call_sign] - start) * 1000)
    return samples[5:]  # the first requests warm the pool and the route


def _broker_round_trip(ctx: BenchContext, receiver: _Receiver, repeat: int) -> list[float]:
    link = BrokerLink(ctx.settings.mqtt_dsn(), f"bench-tx-{uuid.uuid4().hex[:6]}")
    link.start()
    deadline = time.monotonic() + 10
    while not link.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    samples = []
    for i in range(repeat):
        call_sign = f"RAW{i}"
        done = receiver.expect(call_sign)
        start = time.perf_counter()
        link.publish(f"{ctx.settings.mqtt_topic_root}/units/{call_sign}/jobs", json.dumps({"i": i}))
        done.wait(5)
        samples.append((receiver.arrived[call_sign] - start) * 1000)
    link.stop()
    return samples


def run(ctx: BenchContext) -> list[Figure]:
    assigns = 60 if ctx.quick else 300
    incident_ids = _load(ctx, incidents=assigns + 20)
    figures = [_recommend_figure(ctx, incident_ids[:20])]
    receiver = _Receiver(ctx)
    try:
        ours = _assign_samples(ctx, receiver, incident_ids[20:])
        base = _broker_round_trip(ctx, receiver, len(ours))
    finally:
        receiver.close()
    figures.append(
        Figure(
            "assign_to_job_p99_ms",
            percentile(ours, 99),
            "ms",
            "mqtt_qos1_round_trip_p99_ms",
            percentile(base, 99),
            note=f"median {median(ours):.1f} ms (raw broker {median(base):.2f} ms); "
            "POST /assignments in-process (auth check bypassed) -> commit -> QoS 1 publish "
            "-> subscriber on_message",
        )
    )
    return figures
