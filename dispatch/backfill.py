"""`siaga simulate --backfill DAYS`: a believable past, written through the dispatch services.

Calls arrive by hour of day (a Poisson draw per hour from HOURLY_CALLS) at road points of the
loaded road data, with a category mix and a share of pranks; each valid call is validated,
assigned to the free unit with the fastest road ETA (the engine call the recommendation
makes), and the unit drives the engine's route: its fixes go to the position history every
FIX_S, and it arrives when the route says. Status changes carry the simulated times. All of
it is SINTETIS: caller names say so. The figures below are the simulation's assumptions.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry import Point
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import make_engine, make_session_factory, session_scope
from core.errors import SetupError
from core.settings import Settings
from dispatch.assign import assign_units
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident, incident_lonlat
from dispatch.progress import advance_assignment, close_incident
from dispatch.schemas import IncidentCreate
from roads.service import Roads, estimate_etas, local_hour, roads_for
from tracking.driving import Planner
from tracking.models import Unit, UnitPosition, UnitStatusChange

GEOD = Geod(ellps="WGS84")
ACTOR = "simulasi-backfill"
FIX_S = 10.0
# Calls per hour of local day (00..23): quiet before dawn, peaks late afternoon and evening.
HOURLY_CALLS = [1.0, 0.7, 0.5, 0.4, 0.4, 0.6, 1.0, 1.5, 1.8, 1.9, 2.0, 2.0,
                2.0, 2.0, 2.1, 2.3, 2.6, 2.8, 3.0, 3.0, 2.8, 2.4, 1.9, 1.4]  # fmt: skip
CATEGORY_WEIGHTS = {
    "kecelakaan_lalu_lintas": 22, "pencurian": 18, "penganiayaan": 8, "kdrt": 6, "kerusuhan": 4,
    "kebakaran": 3, "ancaman": 5, "orang_hilang": 3, "narkoba": 3, "informasi": 18, "lainnya": 10,
}  # fmt: skip
PRANK_SHARE, INVALID_SHARE = 0.30, 0.10
ON_SCENE_S = (600, 2400)
# No call later than this before `now`: every job it starts ends in the past.
LAST_CALL_BEFORE_NOW = timedelta(minutes=90)


@dataclass
class FleetUnit:
    """A backfilled unit: where it waits and when it is free again."""

    unit: Unit
    lon: float
    lat: float
    free_at: datetime


def _restamp(session: Session, unit_id: int, at: datetime) -> None:
    """The status change just written by the service happened at `at`, not now."""
    latest = session.scalar(
        select(UnitStatusChange.id)
        .where(UnitStatusChange.unit_id == unit_id)
        .order_by(UnitStatusChange.id.desc())
        .limit(1)
    )
    session.execute(
        update(UnitStatusChange).where(UnitStatusChange.id == latest).values(changed_at=at)
    )
    session.execute(update(Unit).where(Unit.id == unit_id).values(status_changed_at=at))


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _calls(rng: random.Random, start: datetime, days: int, utc_offset_h: int) -> list[datetime]:
    times = []
    for hour in range(days * 24):
        at = start + timedelta(hours=hour)
        local = (at + timedelta(hours=utc_offset_h)).hour
        times += [
            at + timedelta(seconds=rng.uniform(0, 3600))
            for _ in range(_poisson(rng, HOURLY_CALLS[local]))
        ]
    return sorted(times)


def _drive_fixes(session: Session, fleet_unit: FleetUnit, drive, started: datetime, rng) -> None:  # noqa: ANN001
    t = 0.0
    while t <= drive.duration_s:
        (lon, lat), heading, speed, _ = drive.state(t)
        at = started + timedelta(seconds=t)
        noisy = Point(lon + rng.gauss(0, 3.6e-5), lat + rng.gauss(0, 3.6e-5))
        session.add(
            UnitPosition(
                unit_id=fleet_unit.unit.id,
                fixed_at=at,
                received_at=at,
                accuracy_m=6.0,
                speed_mps=speed,
                heading_deg=heading,
                geom=from_shape(noisy, srid=4326),
                raw='{"sumber": "backfill SINTETIS"}',
            )
        )
        t += FIX_S
    fleet_unit.lon, fleet_unit.lat = drive.points[-1]


def backfill_history(
    session: Session,
    roads: Roads,
    *,
    fleet: list[FleetUnit],
    points: list[tuple[float, float]],
    days: int,
    now: datetime | None = None,
    seed: int = 110,
    utc_offset_h: int = 8,
) -> dict[str, int]:
    """Write `days` of calls, dispatches and drives ending at `now`; counts of what was written."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    planner = Planner(roads, rng)
    counts = {"calls": 0, "pranks": 0, "dispatched": 0}
    calls = _calls(rng, now - timedelta(days=days), days, utc_offset_h)
    for i, at in enumerate(c for c in calls if c <= now - LAST_CALL_BEFORE_NOW):
        lon, lat = rng.choice(points)
        counts["calls"] += 1
        validity = rng.choices(
            ["valid", "prank", "invalid"],
            [1 - PRANK_SHARE - INVALID_SHARE, PRANK_SHARE, INVALID_SHARE],
        )[0]
        category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
        body = IncidentCreate(
            caller_name="Pelapor SINTETIS",
            caller_phone=f"0813{rng.randrange(10**7, 10**8)}",
            category=category,
            lon=lon,
            lat=lat,
            call_received_at=at,
            description="Riwayat simulasi (SINTETIS)",
        )
        incident = create_incident(session, data=body, actor=ACTOR, now=at)
        decided = at + timedelta(seconds=rng.uniform(40, 150))
        validate_incident(
            session,
            incident_id=incident.id,
            validity=validity,
            actor=ACTOR,
            accept_timeout_s=120,
            now=decided,
        )
        counts["pranks"] += validity == "prank"
        if validity == "valid" and _dispatch(
            session, roads, planner, fleet, incident, decided, rng
        ):
            counts["dispatched"] += 1
        if i % 50 == 0:
            session.flush()
    return counts


def _dispatch(
    session: Session,
    roads: Roads,
    planner: Planner,
    fleet: list[FleetUnit],
    incident,
    at: datetime,
    rng,
) -> bool:  # noqa: ANN001, E501
    free = [f for f in fleet if f.free_at <= at]
    if not free:
        return False
    target = incident_lonlat(incident)
    units = [(f.unit.kind, f.lon, f.lat, GEOD.inv(f.lon, f.lat, *target)[2]) for f in free]
    hour = local_hour(at, incident.timezone)
    etas = estimate_etas(roads, target=target, hour=hour, units=units)
    chosen, eta = min(zip(free, etas, strict=True), key=lambda pair: pair[1].eta_s)
    ((assignment, _),) = assign_units(
        session,
        incident_id=incident.id,
        unit_ids=[chosen.unit.id],
        actor=ACTOR,
        etas={chosen.unit.id: eta.eta_s},
        now=at,
    )
    _restamp(session, chosen.unit.id, at)
    steps = [("acknowledged", 15), ("en_route", 30)]
    t = at
    for status, delay in steps:
        t += timedelta(seconds=rng.uniform(delay / 2, delay))
        advance_assignment(
            session, assignment=assignment, status=status, actor=ACTOR, source="backfill", at=t
        )
        _restamp(session, chosen.unit.id, t)
    drive = planner.drive(chosen.unit.kind, (chosen.lon, chosen.lat), target, now=0.0, hour=hour)
    _drive_fixes(session, chosen, drive, t, rng)
    arrived = t + timedelta(seconds=drive.duration_s)
    advance_assignment(
        session, assignment=assignment, status="on_scene", actor=ACTOR, source="gps", at=arrived
    )
    _restamp(session, chosen.unit.id, arrived)
    done = arrived + timedelta(seconds=rng.uniform(*ON_SCENE_S))
    advance_assignment(
        session, assignment=assignment, status="cleared", actor=ACTOR, source="backfill", at=done
    )
    _restamp(session, chosen.unit.id, done)
    close_incident(
        session,
        incident_id=incident.id,
        disposition="selesai_di_tempat",
        callback_outcome="tersambung",
        actor=ACTOR,
        callback_at=done,
        now=done + timedelta(minutes=5),
    )
    chosen.free_at = done
    return True


def run_backfill(settings: Settings, *, days: int, units: int, seed: int = 110) -> dict[str, int]:
    """Register the demo fleet if needed and write `days` of history in one transaction."""
    from tracking.fleet import DEMO_PREFIX, demo_polsek_id, ensure_fleet, patrol_area

    roads = roads_for(settings)
    network = roads.engine.network if roads.engine else None
    if network is None:
        raise SetupError("backfill needs road data: run `siaga roads build FILE.osm.pbf` first")
    engine = make_engine(settings, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            home = demo_polsek_id(session)
            if home is None:
                raise SetupError("no Polsek loaded: run `siaga demo` (or import jurisdictions)")
            ensure_fleet(session, count=units, home_jurisdiction_id=home)
            west, south, east, north = patrol_area(session)
            inside = [
                (lon, lat)
                for lon, lat in zip(network.lon.tolist(), network.lat.tolist(), strict=True)
                if west <= lon <= east and south <= lat <= north
            ]
            rows = session.scalars(select(Unit).where(Unit.call_sign.like(f"{DEMO_PREFIX}-%")))
            planner, start = (
                Planner(roads, random.Random(seed)),
                datetime.now(UTC) - timedelta(days=days),
            )
            fleet = [
                FleetUnit(u, *planner.patrol_posts(u.kind, (west, south, east, north), 1)[0], start)
                for u in rows.all()
                if u.status == "available"
            ]
            return backfill_history(
                session,
                roads,
                fleet=fleet,
                points=inside or list(zip(network.lon.tolist(), network.lat.tolist(), strict=True)),
                days=days,
                seed=seed,
            )
    finally:
        engine.dispose()
