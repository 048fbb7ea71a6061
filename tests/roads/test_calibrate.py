"""Calibration: GPS traces driven at half the profile's speeds fit about half those speeds."""

from __future__ import annotations

import random
import tomllib
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from roads.calibrate import ClassSpeeds, observe
from roads.config import calibrated_text, load_profiles, speeds_file
from roads.service import roads_for
from tests.tracking.factories import make_polsek, make_unit
from tracking.driving import Drive
from tracking.models import UnitPosition, UnitStatusChange
from tracking.traces import en_route_traces

# Two trips across Balikpapan Kota (the one-way centre and the residential west).
TRIPS = [((116.86, -1.257), (116.84, -1.265)), ((116.812, -1.270), (116.835, -1.262))]


def _store_trip(session, unit_id: int, drive: Drive, start: datetime, rng) -> datetime:  # noqa: ANN001
    """Status en_route at the start, a fix every 5 s with GPS noise, available at the end."""
    session.add(
        UnitStatusChange(
            unit_id=unit_id,
            from_status="dispatched",
            to_status="en_route",
            actor="test",
            changed_at=start,
        )
    )
    t = 0.0
    while t <= drive.duration_s:
        (lon, lat), *_ = drive.state(t)
        at = start + timedelta(seconds=t)
        noisy = Point(lon + rng.gauss(0, 3e-5), lat + rng.gauss(0, 3e-5))
        session.add(
            UnitPosition(
                unit_id=unit_id,
                fixed_at=at,
                received_at=at,
                accuracy_m=5.0,
                geom=from_shape(noisy, srid=4326),
                raw="{}",
            )
        )
        t += 5.0
    end = start + timedelta(seconds=drive.duration_s + 1)
    session.add(
        UnitStatusChange(
            unit_id=unit_id,
            from_status="en_route",
            to_status="available",
            actor="test",
            changed_at=end,
        )
    )
    return end + timedelta(minutes=5)


def test_half_speed_traces_fit_half_speeds(settings, road_data, db_session) -> None:  # noqa: ANN001
    roads = roads_for(settings)
    rng = random.Random(3)
    home = make_polsek(db_session)
    unit = make_unit(db_session, kind="R4", home=home.id)
    start = datetime.now(UTC) - timedelta(hours=2)
    for origin, target in TRIPS:
        route = roads.engine.route("R4", origin, target)
        drive = Drive.along(route.coordinates, [s * 2 for s in route.segment_s], 0.0, True)
        start = _store_trip(db_session, unit.id, drive, start, rng)
    db_session.flush()
    since = datetime.now(UTC) - timedelta(days=1)
    traces = en_route_traces(db_session, since=since, home_jurisdiction_ids=[home.id])
    assert [len(t) for t in traces["R4"]] and len(traces["R4"]) == 2
    observed = ClassSpeeds()
    observe(roads.engine, "R4", traces["R4"], observed)
    fitted = observed.fitted_kmh(min_km=0.5)
    current = roads.profiles["R4"].highway_kmh
    assert fitted, "no road class observed"
    for cls, kmh in fitted.items():
        # Half the class speed, less for the turn time the engine spreads over a trip.
        assert 0.3 * current[cls] < kmh < 0.6 * current[cls], (cls, kmh, current[cls])


def test_the_fitted_table_is_written_only_where_fitted() -> None:
    text = speeds_file(None).read_text()
    written = calibrated_text(text, {"R2": {"residential": 21.5}}, "calibrated in a test")
    assert "residential = 21.5" in written and 'source = "calibrated in a test"' in written
    profiles = tomllib.loads(written)["profiles"]
    assert profiles["R2"]["highway_kmh"]["residential"] == 21.5
    assert (
        profiles["R4"]["highway_kmh"]["residential"]
        == load_profiles()["R4"].highway_kmh["residential"]
    )
    assert set(profiles["R2"]["highway_kmh"]) == set(load_profiles()["R2"].highway_kmh)
    assert "# gang: narrow" in written  # comments (the sources) stay
