"""Coverage against the target: the share of an area's road length and of its ground that
units reach in time.

The build samples every drivable way every 200 m (roads/network.py); the samples inside an
area are the destinations of one OSRM table per vehicle kind, with the ready units of that
kind as sources. A sample is covered when its fastest unit's ETA (the same off-road legs and
peak factor as the recommendation) is within the target. The ground is a grid of cells over
the area: a cell is reached by way of its nearest road sample, plus the straight leg from
that sample to the cell's centre at the access speed (the off-road leg of an ETA). A move-up
suggestion tries each idle unit at a few uncovered places (one more table) and keeps the
move that covers most road.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from roads.network import METRES_PER_DEG, RoadNetwork
from roads.service import Roads, peak_factor, profile_for, road_kind

CANDIDATES = 12  # uncovered places tried per move-up suggestion
# Ground cells: 100 m squares (half the road sample spacing), coarser for very large areas
# so that one Polsek never needs more than MAX_AREA_CELLS look-ups.
AREA_CELL_M = 100.0
MAX_AREA_CELLS = 40_000


@dataclass(frozen=True)
class Samples:
    """Road sample points of an area and the road metres each stands for."""

    points: list[tuple[float, float]]
    metres: np.ndarray

    @classmethod
    def inside(cls, network: RoadNetwork, area: BaseGeometry) -> Samples:
        """The network's samples inside a polygon."""
        mask = shapely.contains_xy(area, network.lon, network.lat)
        points = list(zip(network.lon[mask].tolist(), network.lat[mask].tolist(), strict=True))
        return cls(points, network.length_m[mask])

    @property
    def road_m(self) -> float:
        return float(self.metres.sum())


@dataclass(frozen=True)
class AreaCells:
    """Ground cells of an area: each one's nearest road sample and the metres off-road to it."""

    nearest: np.ndarray  # index into the samples the cells were built from
    off_road_m: np.ndarray
    cell_km2: float

    @classmethod
    def inside(cls, area: BaseGeometry, samples: Samples) -> AreaCells:
        """Cells whose centres lie inside the area (equirectangular metres: small areas)."""
        west, south, east, north = area.bounds
        coslat = math.cos(math.radians((south + north) / 2))
        width_m = (east - west) * coslat * METRES_PER_DEG
        height_m = (north - south) * METRES_PER_DEG
        cell_m = max(AREA_CELL_M, math.sqrt(width_m * height_m / MAX_AREA_CELLS))
        xs = west + (np.arange(max(1, math.ceil(width_m / cell_m))) + 0.5) * (
            cell_m / (coslat * METRES_PER_DEG)
        )
        ys = south + (np.arange(max(1, math.ceil(height_m / cell_m))) + 0.5) * (
            cell_m / METRES_PER_DEG
        )
        lon, lat = (grid.ravel() for grid in np.meshgrid(xs, ys))
        inside = shapely.contains_xy(area, lon, lat)
        lon, lat = lon[inside], lat[inside]
        cell_km2 = cell_m * cell_m / 1e6
        if not samples.points or not len(lon):
            return cls(np.zeros(len(lon), int), np.full(len(lon), np.inf), cell_km2)
        scale = np.array([coslat * METRES_PER_DEG, METRES_PER_DEG])
        tree = cKDTree(np.asarray(samples.points) * scale)
        off_road_m, nearest = tree.query(np.column_stack([lon, lat]) * scale)
        return cls(np.asarray(nearest, int), np.asarray(off_road_m, float), cell_km2)

    @property
    def area_km2(self) -> float:
        return len(self.nearest) * self.cell_km2

    def covered_km2(self, best_s: np.ndarray, target_s: float, access_mps: float) -> float:
        """Ground reached within the target: the cell's road sample, then off-road."""
        if not len(self.nearest) or not len(best_s):
            return 0.0  # no road sample inside: the ground is not reached by road
        reach_s = best_s[self.nearest] + self.off_road_m / access_mps
        return float(np.count_nonzero(reach_s <= target_s)) * self.cell_km2


def unit_times(
    roads: Roads, units: list[tuple[str, float, float]], points: list, hour: int
) -> np.ndarray:
    """Seconds from each unit (kind, lon, lat) to each point: units x points (inf: none)."""
    times = np.full((len(units), len(points)), np.inf)
    if roads.engine is None or not points:
        return times
    by_kind: dict[str, list[int]] = {}
    for i, (kind, _, _) in enumerate(units):
        routed = road_kind(roads.engine, kind)
        if routed:
            by_kind.setdefault(routed, []).append(i)
    for routed, rows in by_kind.items():
        factor = peak_factor(profile_for(roads.profiles, routed), hour)
        sources = [(units[i][1], units[i][2]) for i in rows]
        times[rows, :] = roads.engine.durations(routed, sources, points) * factor
    return times


def covered_metres(samples: Samples, best_s: np.ndarray, target_s: np.ndarray) -> float:
    """Road metres whose fastest time is within its area's target."""
    return float(samples.metres[best_s <= target_s].sum())


def suggest_move_up(
    roads: Roads,
    samples: Samples,
    times: np.ndarray,
    target_s: np.ndarray,
    units: list[tuple[str, float, float]],
    hour: int,
) -> dict | None:
    """The idle unit and uncovered place that, swapped, cover the most road; None if no gain."""
    if not len(units) or not samples.points:
        return None
    best = times.min(axis=0)
    uncovered = np.flatnonzero(best > target_s)
    if not len(uncovered):
        return None
    spread = np.linspace(0, len(uncovered) - 1, min(CANDIDATES, len(uncovered))).astype(int)
    picks = uncovered[spread]
    places = [samples.points[i] for i in picks]
    before = covered_metres(samples, best, target_s)
    from_places = {
        kind: unit_times(roads, [(kind, lon, lat) for lon, lat in places], samples.points, hour)
        for kind in {u[0] for u in units}
    }
    choice = None
    for u, (kind, _, _) in enumerate(units):
        others = np.delete(times, u, axis=0).min(axis=0, initial=np.inf)
        for c in range(len(places)):
            after = covered_metres(samples, np.minimum(others, from_places[kind][c]), target_s)
            if after > before and (choice is None or after > choice[0]):
                choice = (after, u, places[c])
    if choice is None:
        return None
    after, unit_index, place = choice
    return {"unit_index": unit_index, "to": list(place), "gain_m": round(after - before, 1)}
