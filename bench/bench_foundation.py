"""Foundation: /health through the API against a bare SELECT 1 on the same database."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from bench.common import BenchContext, Figure, median, time_calls_ms


def run(ctx: BenchContext) -> list[Figure]:
    repeat = 100 if ctx.quick else 1000
    with ctx.engine.connect() as conn:
        raw = time_calls_ms(lambda: conn.execute(text("SELECT 1")).scalar(), repeat)
    with TestClient(create_app(ctx.settings)) as client:
        api = time_calls_ms(lambda: client.get("/health"), repeat)
    return [
        Figure(
            "health_api_median_ms",
            median(api),
            "ms",
            "db_select1_median_ms",
            median(raw),
            note="GET /health runs 3 queries and reads broker/ingest state",
        ),
    ]
