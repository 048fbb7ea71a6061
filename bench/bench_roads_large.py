"""Recommendation on a generated road network of a million nodes (OSRM MLD, built once).

bench/grid_pbf.py writes a 448 x 448 city grid (200,704 intersections, 1,003,520 nodes) as
.osm.pbf; `roads.build` makes its OSRM data in state_dir/bench-large (kept between runs:
the first build takes minutes). 50,000 units stand on the grid, 20,000 of them ready; the
figure is the whole recommendation (KNN shortlist, one OSRM table per kind, exclusions)
beside the same recommendation without road data (the database part alone), same run.
--quick skips it unless the data is already built.
"""

from __future__ import annotations

from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import text

from bench.common import BenchContext, Figure, median, percentile, time_calls_ms
from bench.grid_pbf import grid_bounds, write_grid
from core.db import make_session_factory, session_scope
from dispatch.escalation import validate_incident
from dispatch.intake import create_incident
from dispatch.recommend import recommend_units
from dispatch.schemas import IncidentCreate
from jurisdictions.models import Jurisdiction
from roads.build import current_build, ensure_roads
from roads.engine import load_engine
from roads.service import Roads, vehicle_profiles

SIDE = 448
UNITS = 50_000
INCIDENTS = 50

LOAD_UNITS = text("""
INSERT INTO units (call_sign, kind, status, link_connected, home_jurisdiction_id, crew)
SELECT 'LG' || g, CASE WHEN g % 10 < 4 THEN 'R2' ELSE 'R4' END,
       CASE WHEN g % 5 < 2 THEN 'available' ELSE 'off_duty' END, true, :home, '[]'
FROM generate_series(1, :n) AS g
""")
LOAD_POSITIONS = text("""
INSERT INTO unit_positions_latest (unit_id, geom, fixed_at, received_at, accuracy_m)
SELECT u.id, ST_SetSRID(ST_MakePoint(:w + random() * (:e - :w), :s + random() * (:n - :s)), 4326),
       now(), now(), 5
FROM units u WHERE u.call_sign LIKE 'LG%'
""")


def _data(ctx: BenchContext) -> Roads | None:
    folder = ctx.settings.state_dir / "bench-large"
    pbf, roads_dir = folder / f"grid{SIDE}.osm.pbf", folder / "roads"
    if ctx.quick and current_build(roads_dir) is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    if not pbf.is_file():
        print(f"[bench] writing {SIDE}x{SIDE} grid: {write_grid(pbf, SIDE):,} nodes")
    ensure_roads(pbf, roads_dir, say=lambda m: print(f"[bench] large: {m}", flush=True))
    profiles = vehicle_profiles(ctx.settings)
    return Roads(load_engine(roads_dir, profiles), profiles)


def _load(ctx: BenchContext) -> list[int]:
    west, south, east, north = grid_bounds(SIDE)
    factory = make_session_factory(ctx.engine)
    with session_scope(factory) as session:
        polres = Jurisdiction(
            code="LG",
            name="Polres Grid (SINTETIS)",
            level="polres",
            timezone="WIB",
            response_target_s=600,
            geom=from_shape(MultiPolygon([box(west, south, east, north)]), srid=4326),
        )
        session.add(polres)
        session.flush()
        session.execute(text("SELECT setseed(0.448)"))
        session.execute(LOAD_UNITS, {"n": UNITS, "home": polres.id})
        session.execute(LOAD_POSITIONS, {"w": west, "e": east, "s": south, "n": north})
    with ctx.engine.connect() as conn:
        conn.execute(text("ANALYZE units"))
        conn.execute(text("ANALYZE unit_positions_latest"))
        conn.commit()
    ids = []
    with session_scope(factory) as session:
        for i in range(INCIDENTS):
            lon = west + (east - west) * ((i * 0.618) % 1)
            lat = south + (north - south) * ((i * 0.382) % 1)
            body = IncidentCreate(
                caller_name="Bench",
                caller_phone=f"0812{i:07d}",
                category="pencurian",
                lon=lon,
                lat=lat,
            )
            incident = create_incident(session, data=body, actor="bench")
            validate_incident(
                session,
                incident_id=incident.id,
                validity="valid",
                actor="bench",
                accept_timeout_s=3600,
            )
            ids.append(incident.id)
    return ids


def run(ctx: BenchContext) -> list[Figure]:
    roads = _data(ctx)
    if roads is None or roads.engine is None:
        print("[bench] roads_large: no built grid (run `make bench` without --quick once)")
        return []
    incident_ids = _load(ctx)
    no_roads = Roads(None, roads.profiles)
    repeat = 100 if ctx.quick else 500
    factory = make_session_factory(ctx.engine)
    with factory() as session:
        state = {"i": 0}

        def recommend(with_roads: Roads) -> None:
            state["i"] += 1
            recommend_units(
                session,
                incident_id=incident_ids[state["i"] % len(incident_ids)],
                roads=with_roads,
                stale_s=600,
            )

        ours = time_calls_ms(lambda: recommend(roads), repeat, warmup=50)
        base = time_calls_ms(lambda: recommend(no_roads), repeat, warmup=50)
        session.rollback()
    build = current_build(ctx.settings.state_dir / "bench-large" / "roads")
    return [
        Figure(
            "recommend_large_p99_ms",
            percentile(ours, 99),
            "ms",
            "recommend_no_roads_p99_ms",
            percentile(base, 99),
            note=f"{SIDE}x{SIDE} grid, 1,003,520 nodes, OSRM MLD ({Path(build).name}); "
            f"{UNITS:,} units, 40 % ready; median {median(ours):.1f} ms vs {median(base):.1f} ms "
            "without road ETAs (warm engine)",
        )
    ]
