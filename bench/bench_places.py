"""Place search, vector tiles and the OSM import on the real Balikpapan data.

Figures, each beside a baseline measured in the same run:
- geocode_p99_ms / geocode_median_ms: autocomplete queries as operators type them (prefixes
  of real landmark and street names, abbreviations, typos, filler words; bench/geocode_queries)
  through the API app (ASGI, in process) vs a plain ILIKE on the same places table;
- geocode_1m_p99_ms / geocode_1m_median_ms: the same over the real data plus one million
  generated names (a database kept between runs, rebuilt when migrations or the generator
  change) vs ILIKE;
- tile_uncached_p99_ms / tile_cached_p99_ms: z14-16 tiles of the densest area through the
  tile service (fresh cache / warm cache) vs the raw ST_AsMVT query;
- osm_import_nodes_per_s: `siaga osm import` vs pyosmium reading the same file.
"""

from __future__ import annotations

import math
import time
import uuid

from sqlalchemy import text

from bench.common import BenchContext, Figure, median, percentile, time_calls_ms
from bench.geocode_queries import geocode_queries, million_names_context
from core.db import make_session_factory
from places.osm_import import import_osm
from places.tiles import TileCache, cached_tile, render_tile

ILIKE_SQL = text("SELECT name FROM places WHERE name ILIKE :p LIMIT 10")
DENSE = (116.8245, -1.2705)
MAP_CENTRE = {"lon": 116.835, "lat": -1.265}


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _load(ctx: BenchContext) -> None:
    from places.demo import load_demo_geography, write_demo_extracts

    out = ctx.settings.state_dir / "bench-places"
    write_demo_extracts(ctx.shared_data, out)
    load_demo_geography(ctx.engine, out)


def _geocode(
    ctx: BenchContext, name: str, queries: list[str], *, baseline_every: int = 1
) -> list[Figure]:
    # A seq scan per rare query over a million names (seconds each): sampled there.
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.conftest import make_auth_headers

    factory = make_session_factory(ctx.engine)
    with factory() as session:
        headers = make_auth_headers(ctx.settings, session, "admin")
        session.commit()
        api: list[float] = []
        raw: list[float] = []
        with TestClient(create_app(ctx.settings), headers=headers) as client:
            for q in queries[:20]:  # warm-up: connections, plans, caches
                client.get("/api/places/search", params={"q": q, **MAP_CENTRE})
            for i, q in enumerate(queries):
                start = time.perf_counter()
                client.get("/api/places/search", params={"q": q, **MAP_CENTRE})
                api.append((time.perf_counter() - start) * 1000)
                if i % baseline_every == 0:
                    start = time.perf_counter()
                    session.execute(ILIKE_SQL, {"p": f"%{q}%"}).all()
                    raw.append((time.perf_counter() - start) * 1000)
    note = f"{len(api)} queries, ILIKE on {len(raw)} of them"
    return [
        Figure(f"{name}_p99_ms", percentile(api, 99), "ms", "ILIKE p99", percentile(raw, 99), note),
        Figure(f"{name}_median_ms", median(api), "ms", "ILIKE median", median(raw)),
    ]


def _tiles(ctx: BenchContext, repeat: int) -> list[Figure]:
    addresses = [(z, *_tile_of(*DENSE, z)) for z in (14, 15, 16)]
    factory = make_session_factory(ctx.engine)
    with factory() as session:
        raw = time_calls_ms(
            lambda: [render_tile(session, z=z, x=x, y=y) for z, x, y in addresses], repeat
        )
        uncached = time_calls_ms(
            lambda: [cached_tile(session, TileCache(), z=z, x=x, y=y) for z, x, y in addresses],
            repeat,
        )
        cache = TileCache()
        cached = time_calls_ms(
            lambda: [cached_tile(session, cache, z=z, x=x, y=y) for z, x, y in addresses], repeat
        )
    per_tile = len(addresses)
    raw_p99 = percentile(raw, 99) / per_tile
    return [
        Figure(
            "tile_uncached_p99_ms",
            percentile(uncached, 99) / per_tile,
            "ms",
            "raw ST_AsMVT p99",
            raw_p99,
        ),
        Figure(
            "tile_cached_p99_ms",
            percentile(cached, 99) / per_tile,
            "ms",
            "raw ST_AsMVT p99",
            raw_p99,
        ),
    ]


def _import(ctx: BenchContext) -> Figure:
    import osmium

    pbf = ctx.shared_data / "roads" / "balikpapan_kota_drive.osm.pbf"
    start = time.perf_counter()
    report = import_osm(ctx.engine, path=pbf, source=f"bench-{uuid.uuid4().hex[:6]}")
    ours = report.nodes / (time.perf_counter() - start)
    start = time.perf_counter()
    nodes = sum(1 for _ in osmium.FileProcessor(str(pbf), osmium.osm.NODE))
    theirs = nodes / (time.perf_counter() - start)
    return Figure("osm_import_nodes_per_s", ours, "nodes/s", "pyosmium read nodes/s", theirs)


def run(ctx: BenchContext) -> list[Figure]:
    if ctx.need_shared_data("roads/balikpapan_kota_drive.osm.pbf") is None:
        print("bench_places: ../shared/data absent, skipped")
        return []
    _load(ctx)
    n = 200 if ctx.quick else 1000
    queries = geocode_queries(ctx.shared_data, ctx.engine, n)
    figures = _geocode(ctx, "geocode", queries)
    figures += _tiles(ctx, 30 if ctx.quick else 200)
    figures.append(_import(ctx))
    million = million_names_context(ctx, 100_000 if ctx.quick else 1_000_000, load=_load)
    try:
        figures += _geocode(million, "geocode_1m", queries[: n // 2], baseline_every=5)
    finally:
        million.engine.dispose()
    return figures
