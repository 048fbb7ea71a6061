"""Roads: 1 incident x 25 units ETA matrix (OSRM CH and MLD, Valhalla, the old Dijkstra) and
coverage.

All routers answer the same 25 unit positions to the same incidents (random points of the
Balikpapan Kota extract, seeded). OSRM is timed through roads.service.estimate_etas, the
function dispatch calls (CH: the build contracts small graphs); the bare MLD table on the same
build, Valhalla's matrix action on tiles built from the same .osm.pbf and the old router's
frozen copy (bench/legacy_router.py) are the baselines. Wall time is the figure; the thread's
CPU time of the same calls is reported beside it, since on 2 shared cores the wall p99 is
mostly other processes' turn. coverage_s is the whole coverage report of a Polres with 40
ready units, beside the bare OSRM table it needs.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import text

from bench.common import BenchContext, Figure, median, percentile, time_calls_ms
from core.db import make_session_factory, session_scope
from dispatch.coverage import coverage_report
from jurisdictions.models import Jurisdiction
from roads.build import ensure_roads
from roads.engine import load_engine
from roads.service import Roads, estimate_etas, vehicle_profiles

PBF = "roads/balikpapan_kota_drive.osm.pbf"
GRAPHML = "roads/balikpapan_kota_drive_simplified.graphml"
WEST, SOUTH, EAST, NORTH = 116.806, -1.281, 116.875, -1.248
UNITS, COVERAGE_UNITS = 25, 40
WARMUP = 20


def _points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    return [(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)) for _ in range(count)]


def _roads(ctx: BenchContext, pbf: Path) -> Roads:
    roads_dir = ctx.settings.state_dir / "bench-roads"
    ensure_roads(pbf, roads_dir, say=lambda _: None)
    profiles = vehicle_profiles(ctx.settings)
    return Roads(load_engine(roads_dir, profiles), profiles)


def _cases(repeat: int) -> list[tuple[tuple[float, float], list[tuple[float, float]]]]:
    rng = random.Random(110)
    return [(_points(rng, 1)[0], _points(rng, UNITS)) for _ in range(64)][: max(1, repeat)]


def _timed(fn, cases: list, repeat: int, cpu: list | None = None) -> list[float]:  # noqa: ANN001
    """Wall ms of each call; with `cpu`, the thread's CPU ms of each call goes there."""
    state = {"i": 0}

    def call() -> None:
        state["i"] += 1
        started = time.thread_time()
        fn(*cases[state["i"] % len(cases)])
        if cpu is not None and state["i"] > WARMUP:
            cpu.append((time.thread_time() - started) * 1000)

    return time_calls_ms(call, repeat, warmup=WARMUP)


def _mld_table(roads: Roads):  # noqa: ANN202
    """The same 1 x N table on the build's MLD data, through the bindings directly."""
    import osrm

    mld = osrm.OSRM(
        storage_config=str(roads.engine.build_dir / "R4" / "data.osrm"),
        algorithm="MLD",
        use_shared_memory=False,
    )

    def table(target: tuple, units: list) -> None:
        params = osrm.TableParameters(
            coordinates=[target, *units],
            sources=list(range(1, len(units) + 1)),
            destinations=[0],
            annotations=["duration", "distance"],
            generate_hints=False,
        )
        mld.Table(params)

    return table


def _valhalla_ms(ctx: BenchContext, pbf: Path, cases: list, repeat: int) -> list[float] | None:
    try:
        import valhalla
    except ImportError:
        return None
    tiles = ctx.settings.state_dir / "bench-valhalla"
    config = tiles / "valhalla.json"
    if not config.is_file():
        (tiles / "tiles").mkdir(parents=True, exist_ok=True)
        cfg = valhalla.get_config(tile_extract="", tile_dir=str(tiles / "tiles"))
        config.write_text(json.dumps(cfg))
        tool = Path(valhalla.__file__).parent / "bin" / "valhalla_build_tiles"
        subprocess.run([str(tool), "-c", str(config), str(pbf)], check=True, capture_output=True)  # noqa: S603
    actor = valhalla.Actor(str(config))

    def matrix(target: tuple, units: list) -> None:
        actor.matrix(
            {
                "sources": [{"lon": x, "lat": y} for x, y in units],
                "targets": [{"lon": target[0], "lat": target[1]}],
                "costing": "auto",
            }
        )

    return _timed(matrix, cases, repeat)


def _matrix_figures(ctx: BenchContext, pbf: Path, graphml: Path | None) -> list[Figure]:
    repeat = 200 if ctx.quick else 2000
    roads = _roads(ctx, pbf)
    cases = _cases(64)

    def osrm_call(target: tuple, units: list) -> None:
        estimate_etas(roads, target=target, hour=10, units=[("R4", x, y, 0.0) for x, y in units])

    ours_cpu, mld_cpu = [], []
    ours = _timed(osrm_call, cases, repeat, ours_cpu)
    mld = _timed(_mld_table(roads), cases, repeat, mld_cpu)
    algorithm = roads.engine.algorithms["R4"]
    figures = [
        Figure(
            "eta_matrix_cpu_p99_ms",
            percentile(ours_cpu, 99),
            "ms",
            "osrm_mld_table_cpu_p99_ms",
            percentile(mld_cpu, 99),
            note=f"thread CPU of the same calls: median {median(ours_cpu):.2f} ms ({algorithm}) "
            f"vs {median(mld_cpu):.2f} ms (bare MLD table)",
        ),
        Figure(
            "osrm_mld_table_p99_ms",
            percentile(mld, 99),
            "ms",
            "eta_matrix_p99_ms",
            percentile(ours, 99),
            note=f"the bare MLD table on the same build and points; median {median(mld):.2f} ms",
        ),
    ]
    if graphml is not None:
        from bench.legacy_router import estimate_etas as legacy_etas
        from bench.legacy_router import load_road_graph

        graph = load_road_graph(str(graphml))

        def legacy_call(target: tuple, units: list) -> None:
            legacy_etas(
                graph,
                lon=target[0],
                lat=target[1],
                peak=False,
                units=[("R4", x, y, 0.0) for x, y in units],
            )

        legacy = _timed(legacy_call, cases, repeat)
        figures.insert(
            0,
            Figure(
                "eta_matrix_p99_ms",
                percentile(ours, 99),
                "ms",
                "handwritten_dijkstra_p99_ms",
                percentile(legacy, 99),
                note=f"1 incident x {UNITS} R4 units, OSRM {algorithm} table via estimate_etas; "
                f"median {median(ours):.2f} ms vs the old GraphML Dijkstra {median(legacy):.2f} ms",
            ),
        )
    valhalla_ms = _valhalla_ms(ctx, pbf, cases, repeat // 4)
    if valhalla_ms is not None:
        figures.append(
            Figure(
                "valhalla_matrix_p99_ms",
                percentile(valhalla_ms, 99),
                "ms",
                "eta_matrix_p99_ms",
                percentile(ours, 99),
                note=f"pyvalhalla auto matrix, same points and extract; median "
                f"{median(valhalla_ms):.2f} ms (the engine not chosen, docs/DESIGN.md)",
            )
        )
    return figures


def _coverage_setup(ctx: BenchContext) -> int:
    factory = make_session_factory(ctx.engine)
    with session_scope(factory) as session:
        polda = Jurisdiction(
            code="BCOV",
            name="Polda Cakupan (SINTETIS)",
            level="polda",
            timezone="WITA",
            response_target_s=600,
            geom=from_shape(MultiPolygon([box(116, -2, 118, 0)]), srid=4326),
        )
        session.add(polda)
        session.flush()
        polres = Jurisdiction(
            code="BCOV.1",
            name="Polres Cakupan (SINTETIS)",
            level="polres",
            parent_id=polda.id,
            geom=from_shape(MultiPolygon([box(WEST, SOUTH, EAST, NORTH)]), srid=4326),
        )
        session.add(polres)
        session.flush()
        mid = (WEST + EAST) / 2
        for i, (w, e) in enumerate([(WEST, mid), (mid, EAST)]):
            session.add(
                Jurisdiction(
                    code=f"BCOV.1.{i + 1}",
                    name=f"Polsek Cakupan {i + 1} (SINTETIS)",
                    level="polsek",
                    parent_id=polres.id,
                    geom=from_shape(MultiPolygon([box(w, SOUTH, e, NORTH)]), srid=4326),
                )
            )
        session.flush()
        rng = random.Random(40)
        for i, (lon, lat) in enumerate(_points(rng, COVERAGE_UNITS)):
            unit_id = session.execute(
                text(
                    "INSERT INTO units (call_sign, kind, status, link_connected, "
                    "home_jurisdiction_id, crew) VALUES (:cs, :kind, 'available', true, :home, "
                    "'[]') RETURNING id"
                ),
                {"cs": f"COV-{i}", "kind": "R2" if i % 3 == 2 else "R4", "home": polres.id},
            ).scalar_one()
            session.execute(
                text(
                    "INSERT INTO unit_positions_latest (unit_id, geom, fixed_at, received_at, "
                    "accuracy_m) VALUES (:id, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), "
                    "now(), now(), 5)"
                ),
                {"id": unit_id, "lon": lon, "lat": lat},
            )
        return polres.id


def _coverage_figure(ctx: BenchContext, pbf: Path) -> Figure:
    roads = _roads(ctx, pbf)
    polres_id = _coverage_setup(ctx)
    factory = make_session_factory(ctx.engine)
    network = roads.engine.network
    points = list(zip(network.lon.tolist(), network.lat.tolist(), strict=True))
    rng = random.Random(40)
    sources = _points(rng, COVERAGE_UNITS)
    runs = 3 if ctx.quick else 10
    ours, raw, cpu = [], [], []
    with factory() as session:
        report = coverage_report(
            session, roads, jurisdiction_id=polres_id, stale_s=600, now=datetime.now(UTC)
        )
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.thread_time()
            coverage_report(session, roads, jurisdiction_id=polres_id, stale_s=600)
            ours.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - cpu_started)
            started = time.perf_counter()
            roads.engine.durations("R4", sources, points)
            raw.append(time.perf_counter() - started)
    shares = ", ".join(
        f"{p['share']:.0%} road / {p['area_share']:.0%} area" for p in report["polsek"]
    )
    return Figure(
        "coverage_s",
        median(ours),
        "s",
        "osrm_table_40xall_s",
        median(raw),
        note=f"thread CPU median {median(cpu):.2f} s; "
        f"Polres with {COVERAGE_UNITS} ready units, {len(points):,} road samples, 2 Polsek "
        f"covered {shares} in 10 min, move-up included; median of {runs}",
    )


def run(ctx: BenchContext) -> list[Figure]:
    pbf = ctx.need_shared_data(PBF)
    if pbf is None:
        print(f"[bench] roads: {PBF} not in shared data; skipped")
        return []
    return [*_matrix_figures(ctx, pbf, ctx.need_shared_data(GRAPHML)), _coverage_figure(ctx, pbf)]
