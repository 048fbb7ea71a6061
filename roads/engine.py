"""OSRM in-process: one engine per vehicle profile, loaded once per process per build.

CH where the build contracted it (small graphs, see roads/build.py), MLD otherwise.

Points snap to the nearest road segment (OSRM's own R-tree); the snap distance decides
whether a point is inside the road data. The leg between a point and its snapped position
is timed at the profile's access speed, for the table and the route alike, so the ETA a
recommendation shows and the route the crew page draws come out of the same sums.
"""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osrm

from roads.build import current_build
from roads.config import VehicleProfile
from roads.network import load_network

log = logging.getLogger("siaga.roads")

# An incident further than this from any road is outside the road data.
MAX_SNAP_M = 300.0
# A unit may stand further off the mapped roads (a yard, a port, an unmapped gang) and still
# be routed: the off-road leg runs at the access speed.
UNIT_MAX_SNAP_M = 1500.0


@dataclass(frozen=True)
class Leg:
    """A road trip: seconds, metres by road, and the metres off-road at both ends."""

    duration_s: float
    distance_m: float
    off_road_m: float


@dataclass
class Route:
    """A drawn route: the same duration as its table leg, its line and its turn list."""

    leg: Leg
    coordinates: list[tuple[float, float]]
    steps: list[dict[str, Any]] = field(default_factory=list)
    # Seconds for each piece of `coordinates` (off-road legs at the access speed), for
    # anything that moves along the route at the profile's speeds (the simulator).
    segment_s: list[float] = field(default_factory=list)


def plain(value: Any) -> Any:  # noqa: ANN401 - OSRM's JSON tree
    """OSRM's JSON objects and arrays as Python dicts and lists."""
    if isinstance(value, osrm.Object):
        return {key: plain(value[key]) for key in value}
    if isinstance(value, osrm.Array):
        return [plain(item) for item in value]
    return value


class RoadEngine:
    """The OSRM engines of one build, by vehicle kind."""

    def __init__(self, build_dir: Path, profiles: dict[str, VehicleProfile]) -> None:
        self.build_dir = build_dir
        self.profiles = profiles
        self.algorithms = {
            kind: "CH" if (build_dir / kind / "data.osrm.hsgr").is_file() else "MLD"
            for kind in profiles
            if (build_dir / kind / "data.osrm.mldgr").is_file()
        }
        self._engines = {
            kind: osrm.OSRM(
                storage_config=str(build_dir / kind / "data.osrm"),
                algorithm=algorithm,
                use_shared_memory=False,
            )
            for kind, algorithm in self.algorithms.items()
        }
        self.network = load_network(build_dir)
        loaded = ", ".join(f"{k} ({a})" for k, a in sorted(self.algorithms.items()))
        log.info("road data %s loaded: %s", build_dir.name, loaded)

    def kinds(self) -> list[str]:
        """Vehicle kinds this build can route."""
        return sorted(self._engines)

    def table_to(
        self, kind: str, target: tuple[float, float], origins: list[tuple[float, float]]
    ) -> tuple[bool, list[Leg | None]]:
        """One OSRM table call: (target inside the road data, each origin's leg or None)."""
        engine = self._engines[kind]
        params = osrm.TableParameters(
            coordinates=[target, *origins],
            sources=list(range(1, len(origins) + 1)),
            destinations=[0],
            annotations=["duration", "distance"],
            generate_hints=False,
        )
        result = engine.Table(params)
        target_off_m = float(result["destinations"][0]["distance"])
        if target_off_m > MAX_SNAP_M:
            return False, [None] * len(origins)
        access_mps = self.profiles[kind].access_kmh / 3.6
        legs: list[Leg | None] = []
        for i in range(len(origins)):
            duration, distance = result["durations"][i][0], result["distances"][i][0]
            origin_off_m = float(result["sources"][i]["distance"])
            if duration is None or origin_off_m > UNIT_MAX_SNAP_M:
                legs.append(None)
                continue
            off_m = origin_off_m + target_off_m
            legs.append(Leg(float(duration) + off_m / access_mps, float(distance), off_m))
        return True, legs

    def durations(
        self, kind: str, sources: list[tuple[float, float]], targets: list[tuple[float, float]]
    ) -> np.ndarray:
        """Seconds from each source to each target (one table call; inf where not routable).

        Off-road legs at both ends are added like table_to does; sources further than
        UNIT_MAX_SNAP_M from a road and targets further than MAX_SNAP_M reach nothing.
        """
        params = osrm.TableParameters(
            coordinates=[*sources, *targets],
            sources=list(range(len(sources))),
            destinations=list(range(len(sources), len(sources) + len(targets))),
            annotations=["duration"],
            generate_hints=False,
        )
        result = self._engines[kind].Table(params)
        seconds = np.array(
            [[np.inf if d is None else d for d in row] for row in result["durations"]], float
        )
        access_mps = self.profiles[kind].access_kmh / 3.6
        source_off = np.array([w["distance"] for w in result["sources"]], float)
        target_off = np.array([w["distance"] for w in result["destinations"]], float)
        seconds += (source_off[:, None] + target_off[None, :]) / access_mps
        seconds[source_off > UNIT_MAX_SNAP_M, :] = np.inf
        seconds[:, target_off > MAX_SNAP_M] = np.inf
        return seconds

    def route(
        self, kind: str, origin: tuple[float, float], target: tuple[float, float]
    ) -> Route | None:
        """The fastest road route with its line and steps; None outside the road data."""
        params = osrm.RouteParameters(
            coordinates=[origin, target],
            steps=True,
            overview="full",
            geometries="geojson",
            annotations=["duration"],
            generate_hints=False,
        )
        try:
            result = self._engines[kind].Route(params)
        except RuntimeError:
            return None  # NoRoute: the two points sit on unconnected parts of the network
        origin_off_m, target_off_m = (float(w["distance"]) for w in result["waypoints"])
        if target_off_m > MAX_SNAP_M or origin_off_m > UNIT_MAX_SNAP_M:
            return None
        best = result["routes"][0]
        off_m = origin_off_m + target_off_m
        access_mps = self.profiles[kind].access_kmh / 3.6
        leg = Leg(float(best["duration"]) + off_m / access_mps, float(best["distance"]), off_m)
        line = [tuple(p) for p in plain(best["geometry"]["coordinates"])]
        first = best["legs"][0]
        pieces = [float(d) for d in first["annotation"]["duration"]]
        # Turn penalties are in the route's duration, not in the pieces: spread them out.
        scale = float(best["duration"]) / sum(pieces) if sum(pieces) > 0 else 1.0
        segment_s = [
            origin_off_m / access_mps,
            *(d * scale for d in pieces),
            target_off_m / access_mps,
        ]
        return Route(leg, [origin, *line, target], plain(first["steps"]), segment_s)

    def match(self, kind: str, params: osrm.MatchParameters) -> osrm.Object:
        """OSRM's map matching of a GPS trace (calibration reads its annotations)."""
        return self._engines[kind].Match(params)

    def nearest(self, kind: str, point: tuple[float, float]) -> tuple[tuple[float, float], float]:
        """Where routes from this point start on the road network, and how far that is (m).

        Asked of the route service, not nearest: routes skip tiny disconnected components
        (a lone parking aisle), so this is the point a route would really start from.
        """
        params = osrm.RouteParameters(
            coordinates=[point, point], overview="false", generate_hints=False
        )
        waypoint = self._engines[kind].Route(params)["waypoints"][0]
        lon, lat = waypoint["location"]
        return (float(lon), float(lat)), float(waypoint["distance"])


_lock = threading.Lock()
_loaded: dict[Path, RoadEngine] = {}
# Free the engines before the interpreter tears the extension down (else nanobind reports them).
atexit.register(_loaded.clear)


def load_engine(roads_dir: Path, profiles: dict[str, VehicleProfile]) -> RoadEngine | None:
    """The engine of the current build (loaded once; a new build is picked up on next call)."""
    build_dir = current_build(roads_dir)
    if build_dir is None:
        return None
    with _lock:
        engine = _loaded.get(build_dir)
        if engine is None:
            _loaded.clear()  # the previous build's memory goes with it
            engine = _loaded[build_dir] = RoadEngine(build_dir, profiles)
    return engine
