"""What every benchmark shares: a figure record, timing statistics, and the run context."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from core.settings import Settings


@dataclass
class Figure:
    """One measured figure beside the baseline measured in the same run."""

    name: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("nan")

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("note")
        return data


@dataclass
class BenchContext:
    """Settings point at a fresh bench database and a bench-only MQTT topic root."""

    settings: Settings
    engine: Engine
    shared_data: Path
    quick: bool = False
    cache: dict = field(default_factory=dict)

    def need_shared_data(self, relative: str) -> Path | None:
        path = self.shared_data / relative
        return path if path.exists() else None


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_calls_ms(fn: Callable[[], object], repeat: int, warmup: int = 20) -> list[float]:
    """Wall time of each call in milliseconds, after warm-up calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")
