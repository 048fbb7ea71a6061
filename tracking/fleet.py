"""Demo and simulated fleets: register units, find the area they patrol, run the simulator."""

from __future__ import annotations

import logging
import random
import signal
import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core.db import make_engine, make_session_factory, session_scope
from core.settings import Settings
from geo.measure import distance_m
from jurisdictions.models import Jurisdiction
from places.stations import HomePost
from roads.engine import MAX_SNAP_M
from roads.service import roads_for
from tracking.driving import Planner
from tracking.models import Unit
from tracking.service import create_unit
from tracking.simulator import DEFAULT_AREA, POSTS_PER_UNIT, Fleet, SimUnit

log = logging.getLogger("siaga.simulate")
DEMO_PREFIX = "SIM"
# Patrol stops lie within this many degrees (~1.1 km) of the unit's police station.
PATROL_DEG = 0.01


def demo_homes(session: Session) -> list[int]:
    """The Polsek in force, the demo's road-data Polsek first, then by code.

    The demo fleet is spread over them in this order, so the first units (and the crew's
    demo login) patrol where ETAs run on roads.
    """
    from jurisdictions.demo import ROAD_POLSEK_CODE

    query = (
        select(Jurisdiction.id)
        .where(Jurisdiction.level == "polsek", Jurisdiction.valid_to.is_(None))
        .order_by((Jurisdiction.code != ROAD_POLSEK_CODE), Jurisdiction.code)
    )
    return list(session.scalars(query))


def demo_polsek_id(session: Session) -> int | None:
    """The demo's first Polsek (see demo_homes), if jurisdictions are loaded."""
    homes = demo_homes(session)
    return homes[0] if homes else None


def fleet_call_signs(count: int, prefix: str = DEMO_PREFIX) -> list[tuple[str, str]]:
    """(call sign, kind) of a fleet: two cars (R4) for every motorcycle (R2)."""
    return [
        (f"{prefix}-{'R2' if i % 3 == 2 else 'R4'}-{i + 1:03d}", "R2" if i % 3 == 2 else "R4")
        for i in range(count)
    ]


def ensure_fleet(
    session: Session,
    *,
    count: int,
    prefix: str = DEMO_PREFIX,
    home_jurisdiction_id: int | None = None,
    homes: list[int] | None = None,
) -> list[tuple[str, str]]:
    """Register the fleet's units that do not exist yet (idempotent); return them all.

    homes: jurisdictions to spread the fleet over (unit i at homes[i % n]); existing units
    homed elsewhere move there (a demo that had other jurisdictions before).
    """
    fleet = fleet_call_signs(count, prefix)
    existing = {
        u.call_sign: u
        for u in session.scalars(select(Unit).where(Unit.call_sign.like(f"{prefix}-%")))
    }
    for i, (call_sign, kind) in enumerate(fleet):
        home = homes[i % len(homes)] if homes else home_jurisdiction_id
        unit = existing.get(call_sign)
        if unit is None:
            create_unit(
                session,
                call_sign=call_sign,
                kind=kind,
                home_jurisdiction_id=home,
                crew=[{"nama": f"Bripda {call_sign}"}],
            )
        elif homes and unit.home_jurisdiction_id != home:
            unit.home_jurisdiction_id = home
    return fleet


def area_timezone(session: Session) -> str | None:
    """The zone (WIB/WITA/WIT) of the demo Polsek, from it or its Polres or Polda."""
    polsek = aliased(Jurisdiction)
    polres = aliased(Jurisdiction)
    polda = aliased(Jurisdiction)
    query = (
        select(func.coalesce(polsek.timezone, polres.timezone, polda.timezone))
        .select_from(polsek)
        .outerjoin(polres, polres.id == polsek.parent_id)
        .outerjoin(polda, polda.id == polres.parent_id)
        .where(polsek.id == demo_polsek_id(session))
    )
    return session.scalar(query)


def patrol_area(session: Session) -> tuple[float, float, float, float]:
    """Bounding box of the Polsek areas in force, or the demo city's."""
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Jurisdiction.geom)),
            func.ST_YMin(func.ST_Extent(Jurisdiction.geom)),
            func.ST_XMax(func.ST_Extent(Jurisdiction.geom)),
            func.ST_YMax(func.ST_Extent(Jurisdiction.geom)),
        ).where(Jurisdiction.level == "polsek", Jurisdiction.valid_to.is_(None))
    ).one()
    if box[0] is None:
        return DEFAULT_AREA
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def run_simulation(
    settings: Settings,
    *,
    units: int,
    interval_s: float = 5.0,
    dwell_s: float = 90.0,
    duration_s: float | None = None,
    prefix: str = DEMO_PREFIX,
    seed: int = 110,
) -> None:
    """Register the fleet if needed, then drive it until SIGTERM/SIGINT or duration_s."""
    engine = make_engine(settings, pool_size=1)
    with session_scope(make_session_factory(engine)) as session:
        fleet_units = ensure_fleet(session, count=units, prefix=prefix, homes=demo_homes(session))
        posts = unit_home_posts(session, [call_sign for call_sign, _ in fleet_units])
        area = patrol_area(session)
        timezone = area_timezone(session)
    engine.dispose()
    rng = random.Random(seed)
    planner = Planner(roads_for(settings), rng)
    sim_units = [
        home_unit(planner, call_sign, kind, posts[call_sign], rng)
        if call_sign in posts
        else patrol_unit(planner, call_sign, kind, area, rng)
        for call_sign, kind in fleet_units
    ]
    fleet = Fleet(
        settings,
        sim_units,
        interval_s=interval_s,
        dwell_s=dwell_s,
        seed=seed,
        planner=planner,
        timezone=timezone,
    )
    _drive(fleet, area, duration_s)


def patrol_unit(
    planner: Planner, call_sign: str, kind: str, area: tuple, rng: random.Random
) -> SimUnit:
    """A unit waiting at the first of its patrol posts (points on roads it may drive)."""
    posts = planner.patrol_posts(kind, area, POSTS_PER_UNIT)
    unit = SimUnit(call_sign, kind, *posts[0], posts=posts, mode="at_post")
    unit.wait_until = time.time() + rng.uniform(0, 60)
    return unit


def unit_home_posts(session: Session, call_signs: list[str]) -> dict[str, HomePost]:
    """{call sign: the police station of the unit's home jurisdiction} where one is loaded."""
    from places.stations import home_posts

    homes = dict(
        session.execute(
            select(Unit.call_sign, Unit.home_jurisdiction_id).where(Unit.call_sign.in_(call_signs))
        ).all()
    )
    posts = home_posts(session, jurisdiction_ids=[h for h in homes.values() if h is not None])
    return {sign: posts[home] for sign, home in homes.items() if home in posts}


def home_unit(
    planner: Planner, call_sign: str, kind: str, post: HomePost, rng: random.Random
) -> SimUnit:
    """A unit waiting at its police station, patrolling stops around it.

    With road data there (the station within MAX_SNAP_M of a road) every stop is on a road
    reachable from the station; without, the stops are points near the station and the drives
    straight lines, as the ETAs there are.
    """
    station = (post.lon, post.lat)
    start = planner.on_road(kind, station)
    on_roads = distance_m(*start, *station) <= MAX_SNAP_M
    posts = [start if on_roads else station]
    for _ in range(POSTS_PER_UNIT * 20):
        if len(posts) == POSTS_PER_UNIT:
            break
        point = (
            station[0] + rng.uniform(-1, 1) * PATROL_DEG,
            station[1] + rng.uniform(-1, 1) * PATROL_DEG,
        )
        if not on_roads:
            posts.append(point)
            continue
        stop = planner.on_road(kind, point)
        if distance_m(*stop, *point) <= MAX_SNAP_M and planner.connected(kind, start, stop):
            posts.append(stop)
    unit = SimUnit(call_sign, kind, *posts[0], posts=posts, mode="at_post")
    unit.wait_until = time.time() + rng.uniform(0, 60)
    return unit


def _drive(fleet: Fleet, area: tuple, duration_s: float | None) -> None:
    stop = {"now": False}
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    fleet.start()
    log.info("simulating %d units in %s", len(fleet.units), area)
    started = last = time.time()
    try:
        while not stop["now"] and (duration_s is None or last - started < duration_s):
            time.sleep(0.2)
            now = time.time()
            fleet.take_jobs(now)
            for unit in fleet.units.values():
                fleet.step(unit, now)
            last = now
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()
