"""Backfilled history: calls by hour, pranks, dispatches that drive the engine's routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dispatch.backfill import FleetUnit, backfill_history
from dispatch.models import Assignment, Incident
from roads.service import roads_for
from tests.dispatch.factories import make_unit
from tests.roads.streets import street_distances_m
from tracking.models import UnitPosition, UnitStatusChange

pytestmark = pytest.mark.usefixtures("road_data")
POSTS = [(116.8300, -1.2650), (116.8450, -1.2700), (116.8600, -1.2570), (116.8200, -1.2700)]


def test_a_day_of_history_through_the_services(settings, db_session, area, shared_data) -> None:  # noqa: ANN001
    roads = roads_for(settings)
    now = datetime.now(UTC)
    start = now - timedelta(days=1)
    fleet = []
    for i, post in enumerate(POSTS):
        unit = make_unit(
            db_session,
            lon=post[0],
            lat=post[1],
            kind="R2" if i % 2 else "R4",
            home=area.polsek_west,
        )
        on_road = roads.engine.nearest(unit.kind, post)[0]
        fleet.append(FleetUnit(unit, *on_road, start))
    # Calls at road sample points, as `siaga simulate --backfill` places them (a point in a
    # block would add an off-road leg to the fixes, which this test is not about).
    network = roads.engine.network
    inside = [
        (lon, lat)
        for lon, lat in zip(network.lon.tolist(), network.lat.tolist(), strict=True)
        if 116.815 <= lon <= 116.86 and -1.275 <= lat <= -1.255
    ]
    points = inside[:: max(1, len(inside) // 12)][:12]
    counts = backfill_history(
        db_session, roads, fleet=fleet, points=points, days=1, now=now, seed=7
    )
    assert counts["calls"] > 20 and 0 < counts["pranks"] < counts["calls"] / 2
    assert counts["dispatched"] > 5
    unit_ids = [f.unit.id for f in fleet]
    assignments = db_session.scalars(
        select(Assignment).where(Assignment.unit_id.in_(unit_ids))
    ).all()
    assert len(assignments) == counts["dispatched"]
    for a in assignments:
        incident = db_session.get(Incident, a.incident_id)
        assert start <= incident.call_received_at < now and incident.closed_at is not None
        drive_s = (a.on_scene_at - a.en_route_at).total_seconds()
        # The unit arrives when the engine's route says (x the simulated traffic, 0.95-1.15).
        assert 0.9 * a.eta_s <= drive_s <= 1.2 * a.eta_s + 5, (drive_s, a.eta_s)
    fixes = db_session.execute(
        select(UnitPosition.geom.ST_X(), UnitPosition.geom.ST_Y()).where(
            UnitPosition.unit_id.in_(unit_ids)
        )
    ).all()
    assert len(fixes) > 50
    off = sorted(street_distances_m(shared_data, [(x, y) for x, y in fixes]))
    assert off[int(len(off) * 0.9)] < 15.0  # fixes on the streets, give or take GPS noise
    changes = db_session.scalars(
        select(UnitStatusChange.changed_at).where(UnitStatusChange.unit_id.in_(unit_ids))
    ).all()
    assert changes and max(changes) < now  # status history carries the simulated times
