"""Run every bench/bench_*.py, print one table, write bench/results.json.

Usage: python -m bench.run [--only NAME ...] [--quick]
Each module exposes run(ctx: BenchContext) -> list[Figure].
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import pkgutil
import sys
import time
import uuid
from pathlib import Path

from bench.common import BenchContext, Figure
from core.db import make_engine
from core.embedded import drop_database, ensure_database, ensure_postgres
from core.embedded_broker import ensure_broker
from core.logging import configure_logging
from core.migrate import upgrade
from core.settings import get_settings

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"


def _bench_context(quick: bool) -> BenchContext:
    settings = get_settings(mqtt_topic_root=f"siaga/bench-{uuid.uuid4().hex[:6]}")
    ensure_postgres(settings)
    ensure_broker(settings)
    name = os.environ.get("SIAGA_BENCH_DB", "siaga_bench")
    drop_database(settings, name)
    ensure_database(settings, name)
    url = settings.database_dsn().rsplit("/", 1)[0] + "/" + name
    upgrade(settings, url=url)
    settings = settings.model_copy(update={"database_url": url, "mqtt_url": settings.mqtt_dsn()})
    return BenchContext(
        settings=settings,
        engine=make_engine(settings),
        quick=quick,
        shared_data=settings.shared_data_dir,
    )


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"


def print_table(figures: list[Figure]) -> None:
    header = ("figure", "value", "unit", "baseline (same run)", "baseline", "ratio")
    rows = [
        (f.name, _fmt(f.value), f.unit, f.baseline_name, _fmt(f.baseline_value), _fmt(f.ratio))
        for f in figures
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for f in figures:
        if f.note:
            print(f"  {f.name}: {f.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="module names without bench_ (e.g. ingest)")
    parser.add_argument("--quick", action="store_true", help="smaller samples, for smoke runs")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    figures: list[Figure] = []
    modules = sorted(
        m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_")
    )
    for name in modules:
        if args.only and name.removeprefix("bench_") not in args.only:
            continue
        started = time.monotonic()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        # A freshly migrated database per module: what one leaves behind cannot skew another.
        ctx = _bench_context(args.quick)
        try:
            figures.extend(importlib.import_module(f"bench.{name}").run(ctx))
        finally:
            ctx.engine.dispose()
        print(f"[bench] {name} done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    print_table(figures)
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
