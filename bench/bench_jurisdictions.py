"""Jurisdiction lookups with the real national kecamatan set loaded.

Figures: lookup_p99_ms (service function), lookup_api_p99_ms (GET through uvicorn, keep-alive
client), batch_lookup_points_per_s (in-process index); each beside a raw PostGIS ST_Covers
query on the same `jurisdictions` table measured in the same run.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import httpx
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Float

from bench.common import BenchContext, Figure, median, percentile
from core.db import make_session_factory, session_scope
from core.settings import PROJECT_ROOT
from jurisdictions.batch import lookup_points, warm_index
from jurisdictions.importer import import_file
from jurisdictions.service import lookup_point

# Random points inside random kecamatan (incidents happen where people are; seeded).
_SAMPLE_SQL = text(
    "SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT (ST_Dump(ST_GeneratePoints(geom, 1, "
    "id))).geom AS p FROM jurisdictions WHERE level = 'polsek' ORDER BY md5(code) LIMIT :n) s"
)
_POLDA_SQL = text("SELECT id FROM jurisdictions WHERE level = 'polda' AND code = '64'")
BENCH_USER = "bench-jurisdictions"
# The machine is noisy: the API figure is the median of this many rounds' p99.
API_ROUNDS = 3
# The naive way: ST_Covers on the whole polygons, no subdivision, no prepared statement.
_RAW_SQL = text(
    "SELECT id, level, code FROM jurisdictions WHERE ST_Covers(geom, "
    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) AND valid_to IS NULL ORDER BY level, code"
)
_RAW_BATCH_SQL = text(
    "SELECT pt.i, hit.id FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) "
    "WITH ORDINALITY AS pt(lon, lat, i) LEFT JOIN LATERAL (SELECT id FROM jurisdictions j "
    "WHERE ST_Covers(j.geom, ST_SetSRID(ST_MakePoint(pt.lon, pt.lat), 4326)) "
    "AND j.valid_to IS NULL ORDER BY j.level DESC, j.code LIMIT 1) hit ON true"
).bindparams(bindparam("lons", type_=ARRAY(Float)), bindparam("lats", type_=ARRAY(Float)))


def _timed(fn, points: list[tuple[float, float]]) -> list[float]:  # noqa: ANN001
    samples = []
    for lon, lat in points:
        start = time.perf_counter()
        fn(lon, lat)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_api(ctx: BenchContext, port: int, secret: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SIAGA_DATABASE_URL": ctx.settings.database_dsn(),
        "SIAGA_MQTT_URL": ctx.settings.mqtt_dsn(),
        "SIAGA_AUTH_SECRET": secret,
        "SIAGA_LOG_LEVEL": "WARNING",
    }
    argv = [sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory"]
    argv += [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT)


def _operator_token(ctx: BenchContext, secret: str) -> str:
    """A Polda Kalimantan Timur call-taker, as a real 110 desk would call the API."""
    from api.auth import create_user, issue_token

    settings = ctx.settings.model_copy(update={"auth_secret": secret})
    with session_scope(make_session_factory(ctx.engine)) as session:
        polda = session.execute(_POLDA_SQL).scalar_one()
        user = create_user(
            session,
            username=BENCH_USER,
            password=secrets.token_urlsafe(16),
            role="polda_operator",
            jurisdiction_id=polda,
        )
        return issue_token(settings, user).access_token


class _KeepAlive:
    """One keep-alive HTTP/1.1 connection (the standard library's: the lightest client, so
    the figure is the API's time, not the client library's)."""

    def __init__(self, port: int, token: str) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self._headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> int:
        self._connection.request("GET", path, headers=self._headers)
        response = self._connection.getresponse()
        response.read()
        return response.status

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if self.get("/health") in (200, 503):
                    return
            except OSError:
                self._connection.close()
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)


def _lookup_path(lon: float, lat: float) -> str:
    return "/api/jurisdictions/lookup?" + urlencode({"lat": lat, "lon": lon})


def _api_rounds(ctx: BenchContext, points: list[tuple[float, float]]) -> list[list[float]]:
    """API_ROUNDS passes over the points; each pass's p99 is one sample of the figure."""
    port, secret = _free_port(), secrets.token_urlsafe(32)
    token = _operator_token(ctx, secret)
    server = _start_api(ctx, port, secret)
    try:
        client = _KeepAlive(port, token)
        client.wait_ready()

        def call(lon: float, lat: float) -> None:
            if (status := client.get(_lookup_path(lon, lat))) != 200:
                raise RuntimeError(f"lookup answered {status}")

        _timed(call, points[:200])  # warm-up: the pooled connection prepares once
        rounds = [_timed(call, points) for _ in range(API_ROUNDS)]
        # References in the same run: the public /health, and auth alone (/api/auth/me).
        for path in ("/health", "/api/auth/me"):
            ctx.cache[path] = median(_timed(lambda lon, lat, p=path: client.get(p), points[:500]))
        ctx.cache["httpx"] = _httpx_samples(port, token, points)
        return rounds
    finally:
        server.terminate()
        server.wait(timeout=20)


def _httpx_samples(port: int, token: str, points: list[tuple[float, float]]) -> list[float]:
    """The same lookups through httpx, for the note: what a heavier client library adds."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, headers=headers) as client:
        return _timed(lambda lon, lat: client.get(_lookup_path(lon, lat)), points)


def _load(ctx: BenchContext) -> float:
    path = ctx.need_shared_data("boundaries/kecamatan.geojson")
    if path is None:
        raise FileNotFoundError("shared data boundaries/kecamatan.geojson not found")
    started = time.monotonic()
    with session_scope(make_session_factory(ctx.engine)) as session:
        import_file(session, path=path)
    return time.monotonic() - started


def run(ctx: BenchContext) -> list[Figure]:
    """Load the national kecamatan set, measure, and remove it again."""
    if ctx.need_shared_data("boundaries/kecamatan.geojson") is None:
        return []
    import_s = _load(ctx)
    try:
        with Session(ctx.engine) as session:
            return _measure(ctx, session, import_s)
    finally:
        with ctx.engine.begin() as connection:
            connection.execute(text("DELETE FROM users WHERE username = :u"), {"u": BENCH_USER})
            connection.execute(text("DELETE FROM jurisdictions"))


def _measure(ctx: BenchContext, session: Session, import_s: float) -> list[Figure]:
    n_single = 300 if ctx.quick else 3000
    points = [(r.lon, r.lat) for r in session.execute(_SAMPLE_SQL, {"n": n_single})]
    raw = _timed(lambda lon, lat: session.execute(_RAW_SQL, {"lon": lon, "lat": lat}).all(), points)
    _timed(lambda lon, lat: lookup_point(session, lon=lon, lat=lat), points[:200])
    single = _timed(lambda lon, lat: lookup_point(session, lon=lon, lat=lat), points)
    session.rollback()
    api_rounds = _api_rounds(ctx, points)
    api_p99s = [percentile(r, 99) for r in api_rounds]
    api_all = [x for r in api_rounds for x in r]
    via_httpx = ctx.cache["httpx"]
    batch_n = 20_000 if ctx.quick else 200_000
    many = [points[i % len(points)] for i in range(batch_n)]
    started = time.perf_counter()
    warm_index(session)
    build_s = time.perf_counter() - started
    lookup_points(session, points=many[:1000])
    started = time.perf_counter()
    lookup_points(session, points=many)
    batch_rate = batch_n / (time.perf_counter() - started)
    raw_n = min(batch_n, 5000)
    started = time.perf_counter()
    session.execute(
        _RAW_BATCH_SQL, {"lons": [p[0] for p in many[:raw_n]], "lats": [p[1] for p in many[:raw_n]]}
    ).all()
    raw_rate = raw_n / (time.perf_counter() - started)
    raw_p99 = percentile(raw, 99)
    return [
        Figure(
            "lookup_p99_ms",
            percentile(single, 99),
            "ms",
            "raw ST_Covers p99",
            raw_p99,
            note=f"median {median(single):.3f} ms vs raw {median(raw):.3f} ms; "
            f"{len(points)} points in random kecamatan; national import {import_s:.0f} s",
        ),
        Figure(
            "lookup_api_p99_ms",
            median(api_p99s),
            "ms",
            "raw ST_Covers p99",
            raw_p99,
            note=f"median of {API_ROUNDS} rounds' p99 ({', '.join(f'{p:.2f}' for p in api_p99s)}"
            f"); median {median(api_all):.3f} ms; uvicorn subprocess, keep-alive http.client, "
            f"Polda operator token; same run: /health median {ctx.cache['/health']:.2f} ms, "
            f"/api/auth/me median {ctx.cache['/api/auth/me']:.2f} ms; through httpx: median "
            f"{median(via_httpx):.2f} ms, p99 {percentile(via_httpx, 99):.2f} ms",
        ),
        Figure(
            "batch_lookup_points_per_s",
            batch_rate,
            "points/s",
            "raw ST_Covers points/s",
            raw_rate,
            note=f"{batch_n:,} points; index built once in {build_s:.1f} s",
        ),
    ]
