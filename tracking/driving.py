"""Simulated driving: a unit follows an engine route at the profile's speeds, vertex by vertex.

A Drive is a polyline with the time at each vertex (from the OSRM route's per-segment
durations, scaled so the whole trip takes the route's ETA). Without road data, or outside it,
a drive is a straight line at the kind's fallback speed, as the ETA fallback assumes.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from itertools import accumulate

from roads.service import Roads, peak_factor, profile_for

METRES_PER_DEG = 111_320.0


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    coslat = math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot((b[0] - a[0]) * METRES_PER_DEG * coslat, (b[1] - a[1]) * METRES_PER_DEG)


def _heading(a: tuple[float, float], b: tuple[float, float]) -> float:
    coslat = math.cos(math.radians(a[1]))
    return math.degrees(math.atan2((b[0] - a[0]) * coslat, b[1] - a[1])) % 360


@dataclass
class Drive:
    """Where a unit is along its path at any moment since it set off."""

    points: list[tuple[float, float]]
    times: list[float]  # seconds from the start at each point (non-decreasing)
    started_at: float
    on_roads: bool

    @classmethod
    def along(
        cls, points: list, segment_s: list[float], started_at: float, on_roads: bool
    ) -> Drive:
        """A drive over `points` taking segment_s[i] between points i and i+1."""
        return cls(list(points), [0.0, *accumulate(segment_s)], started_at, on_roads)

    @property
    def duration_s(self) -> float:
        return self.times[-1]

    def state(self, now: float) -> tuple[tuple[float, float], float, float, bool]:
        """(position, heading, speed m/s, arrived) at wall-clock time `now`."""
        elapsed = now - self.started_at
        if elapsed >= self.duration_s or len(self.points) < 2:
            last = self.points[-1]
            heading = _heading(self.points[-2], last) if len(self.points) > 1 else 0.0
            return last, heading, 0.0, True
        i = max(0, bisect.bisect_right(self.times, elapsed) - 1)
        a, b = self.points[i], self.points[i + 1]
        span = self.times[i + 1] - self.times[i]
        frac = (elapsed - self.times[i]) / span if span > 0 else 1.0
        here = (a[0] + (b[0] - a[0]) * frac, a[1] + (b[1] - a[1]) * frac)
        speed = _metres(a, b) / span if span > 0 else 0.0
        return here, _heading(a, b), speed, False


class Planner:
    """Routes simulated drives with the same engine and profiles the ETAs use."""

    def __init__(self, roads: Roads, rng: random.Random) -> None:
        self.roads = roads
        self.rng = rng

    def _kind(self, kind: str) -> str | None:
        engine = self.roads.engine
        if engine is None or kind == "boat":
            return None
        routed = kind if kind in engine.kinds() else "R4"
        return routed if routed in engine.kinds() else None

    def on_road(self, kind: str, point: tuple[float, float]) -> tuple[float, float]:
        """The nearest point of a road this kind may drive (the point itself without roads)."""
        routed = self._kind(kind)
        return self.roads.engine.nearest(routed, point)[0] if routed else point

    def connected(self, kind: str, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether a unit of this kind can drive from a to b and back (True without roads)."""
        routed = self._kind(kind)
        if routed is None:
            return True
        engine = self.roads.engine
        return engine.route(routed, a, b) is not None and engine.route(routed, b, a) is not None

    def patrol_posts(
        self, kind: str, area: tuple[float, float, float, float], count: int
    ) -> list[tuple[float, float]]:
        """`count` random points on roads of the area, all reachable from one another."""
        posts: list[tuple[float, float]] = []
        for _ in range(count * 20):  # a point may land on a lone parking aisle or islet
            lon_min, lat_min, lon_max, lat_max = area
            point = (self.rng.uniform(lon_min, lon_max), self.rng.uniform(lat_min, lat_max))
            candidate = self.on_road(kind, point)
            if not posts or self.connected(kind, posts[0], candidate):
                posts.append(candidate)
            elif len(posts) == 1 and self.rng.random() < 0.2:
                posts = [candidate]  # the first post itself may be the stranded one
            if len(posts) == count:
                break
        return posts

    def drive(
        self,
        kind: str,
        origin: tuple[float, float],
        target: tuple[float, float],
        now: float,
        hour: int | None = None,
    ) -> Drive:
        """The engine's route from origin to target, timed at profile speeds (x traffic).

        hour: the local hour, for the profile's peak factor (None: off-peak), as the ETA has.
        """
        traffic = self.rng.uniform(0.95, 1.15)  # no two trips take exactly the ETA
        if hour is not None:
            traffic *= peak_factor(profile_for(self.roads.profiles, kind), hour)
        routed = self._kind(kind)
        route = self.roads.engine.route(routed, origin, target) if routed else None
        if route is not None:
            pieces = [s * traffic for s in route.segment_s]
            return Drive.along(route.coordinates, pieces, now, on_roads=True)
        profile = profile_for(self.roads.profiles, kind)
        # As long as the straight-line ETA says (detour included), along the straight line.
        metres = _metres(origin, target) * profile.detour_factor
        seconds = metres * traffic / (profile.fallback_kmh / 3.6)
        return Drive.along([origin, target], [seconds], now, on_roads=False)
