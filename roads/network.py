"""What the build keeps of the road network besides OSRM's data (read with pyosmium).

- Sample points every SAMPLE_SPACING_M along every drivable way, each standing for the road
  length around it: coverage counts road length from them.
- The highway class of each OSM node pair: calibration reads the classes of matched GPS
  segments from it (OSRM's match answers with OSM node ids).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

# 200 m: road-length shares to a few percent, and an OSRM table small enough for 2 s.
SAMPLE_SPACING_M = 200.0
NETWORK_FILE = "network.npz"
METRES_PER_DEG = 111_320.0


@dataclass(frozen=True)
class RoadNetwork:
    """Road sample points (lon, lat, metres each stands for, class) and node-pair classes."""

    lon: np.ndarray
    lat: np.ndarray
    length_m: np.ndarray
    sample_class: np.ndarray
    pair_a: np.ndarray  # OSM node ids, sorted by (a, b) for searchsorted look-ups
    pair_b: np.ndarray
    pair_class: np.ndarray
    classes: list[str]

    def class_of(self, a: int, b: int) -> str | None:
        """The highway class of the way between two consecutive OSM nodes (either order)."""
        for x, y in ((a, b), (b, a)):
            i = np.searchsorted(self.pair_a, x)
            while i < len(self.pair_a) and self.pair_a[i] == x:
                if self.pair_b[i] == y:
                    return self.classes[self.pair_class[i]]
                i += 1
        return None


class _Collector(osmium.SimpleHandler):
    def __init__(self, classes: list[str]) -> None:
        super().__init__()
        self.index = {name: i for i, name in enumerate(classes)}
        self.samples: list[tuple[float, float, float, int]] = []
        self.pairs: list[tuple[int, int, int]] = []

    def way(self, way: osmium.osm.Way) -> None:
        cls = self.index.get(way.tags.get("highway", ""))
        if cls is None:
            return
        points = [(n.lon, n.lat, n.ref) for n in way.nodes if n.location.valid()]
        if len(points) < 2:
            return
        for (_, _, ref1), (_, _, ref2) in zip(points, points[1:], strict=False):
            self.pairs.append((ref1, ref2, cls))
        self._sample(np.array([(p[0], p[1]) for p in points]), cls)

    def _sample(self, lonlat: np.ndarray, cls: int) -> None:
        """Points spread evenly along the way, one per SAMPLE_SPACING_M (at least one)."""
        coslat = math.cos(math.radians(float(lonlat[0, 1])))
        steps = np.diff(lonlat, axis=0) * np.array([coslat, 1.0]) * METRES_PER_DEG
        along = np.concatenate([[0.0], np.cumsum(np.hypot(steps[:, 0], steps[:, 1]))])
        total = float(along[-1])
        if total <= 0:
            return
        pieces = max(1, round(total / SAMPLE_SPACING_M))
        at = (np.arange(pieces) + 0.5) * total / pieces
        lons, lats = np.interp(at, along, lonlat[:, 0]), np.interp(at, along, lonlat[:, 1])
        self.samples.extend(
            (lon, lat, total / pieces, cls) for lon, lat in zip(lons, lats, strict=True)
        )


def write_network(pbf: Path, build_dir: Path, classes: list[str]) -> int:
    """Read the extract once and write network.npz into the build; returns the sample count."""
    collector = _Collector(classes)
    collector.apply_file(str(pbf), locations=True)
    samples = np.array(collector.samples or np.empty((0, 4)), dtype=float)
    pairs = np.array(collector.pairs or np.empty((0, 3)), dtype=np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0])) if len(pairs) else np.array([], int)
    np.savez_compressed(
        build_dir / NETWORK_FILE,
        lon=samples[:, 0],
        lat=samples[:, 1],
        length_m=samples[:, 2],
        sample_class=samples[:, 3].astype(np.int16),
        pair_a=pairs[order, 0],
        pair_b=pairs[order, 1],
        pair_class=pairs[order, 2].astype(np.int16),
        classes=np.array(classes),
    )
    return len(samples)


def load_network(build_dir: Path) -> RoadNetwork | None:
    """The build's network file, or None for a build made before it existed."""
    path = build_dir / NETWORK_FILE
    if not path.is_file():
        return None
    data = np.load(path)
    return RoadNetwork(
        lon=data["lon"],
        lat=data["lat"],
        length_m=data["length_m"],
        sample_class=data["sample_class"],
        pair_a=data["pair_a"],
        pair_b=data["pair_b"],
        pair_class=data["pair_class"],
        classes=[str(c) for c in data["classes"]],
    )
