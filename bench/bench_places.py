"""Place search, vector tiles and the OSM import on the real Balikpapan data.

Figures, each beside a baseline measured in the same run:
- geocode_p99_ms: autocomplete queries (growing prefixes of real landmark names) through the
  API app (ASGI, in process) vs a plain ILIKE on the same places table;
- geocode_1m_p99_ms: the same search over one million generated names vs ILIKE;
- tile_uncached_p99_ms / tile_cached_p99_ms: z14-16 tiles of the densest area through the
  tile service (fresh cache / warm cache) vs the raw ST_AsMVT query;
- osm_import_nodes_per_s: `siaga osm import` vs pyosmium reading the same file.
"""

from __future__ import annotations

import csv
import math
import random
import time
import uuid

from sqlalchemy import text

from bench.common import BenchContext, Figure, percentile, time_calls_ms
from core.db import make_session_factory
from places.osm_import import import_osm
from places.tiles import TileCache, cached_tile, render_tile

ILIKE_SQL = text("SELECT name FROM places WHERE name ILIKE :p LIMIT 10")
DENSE = (116.8245, -1.2705)


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _load(ctx: BenchContext) -> None:
    from places.demo import load_demo_geography, write_demo_extracts

    out = ctx.settings.state_dir / "bench-places"
    write_demo_extracts(ctx.shared_data, out)
    load_demo_geography(ctx.engine, out)


def _queries(ctx: BenchContext, n: int) -> list[str]:
    rows = list(csv.DictReader((ctx.shared_data / "places" / "balikpapan_places_osm.csv").open()))
    rng = random.Random(110)
    names = [rng.choice(rows)["nama_tempat"] for _ in range(n)]
    return [name[: rng.randint(4, max(4, len(name)))] for name in names]


def _geocode(ctx: BenchContext, name: str, queries: list[str]) -> Figure:
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
            for q in queries:
                start = time.perf_counter()
                client.get("/api/places/search", params={"q": q, "lon": 116.835, "lat": -1.265})
                api.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                session.execute(ILIKE_SQL, {"p": f"%{q}%"}).all()
                raw.append((time.perf_counter() - start) * 1000)
    return Figure(name, percentile(api, 99), "ms", "ILIKE %q% p99", percentile(raw, 99))


def _million_names(ctx: BenchContext, count: int) -> None:
    words = ["Toko", "Warung", "Masjid", "Bengkel", "Apotek", "Kantor", "Rumah Makan", "Salon"]
    sql = text(
        "INSERT INTO places (source, name, kind, geom) SELECT 'bench-generated', "
        "(ARRAY[:w0,:w1,:w2,:w3,:w4,:w5,:w6,:w7])[1 + i % 8] || ' ' || md5(i::text)::varchar(6)"
        " || ' ' || (i % 997)::text, 'shop=yes', "
        "ST_SetSRID(ST_MakePoint(116.8 + (i % 1000) * 0.0002, -1.3 + (i / 1000) * 0.0002), 4326)"
        " FROM generate_series(1, :n) i"
    )
    with ctx.engine.begin() as conn:
        conn.execute(sql, {f"w{i}": w for i, w in enumerate(words)} | {"n": count})
        conn.execute(text("ANALYZE places"))


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
    figures = [_geocode(ctx, "geocode_p99_ms", _queries(ctx, n))]
    figures += _tiles(ctx, 30 if ctx.quick else 200)
    figures.append(_import(ctx))
    _million_names(ctx, 100_000 if ctx.quick else 1_000_000)
    figures.append(_geocode(ctx, "geocode_1m_p99_ms", _queries(ctx, n // 2)))
    return figures
