"""Fit speeds per road class from GPS traces: OSRM map matching, then distance / time per class.

Each trace (a unit's fixes while en route to a job) is matched to the roads with OSRM's match
service; every matched leg between two consecutive fixes gives road metres (split by OSM node
pair, whose highway class the build recorded) and the seconds between the fixes, shared out
over the leg's pieces in proportion to the engine's own expected time for each piece (a leg
over a trunk road and a gang does not give both the same speed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import osrm

from roads.engine import RoadEngine, plain

MATCH_CHUNK = 90  # fixes per match call (OSRM's default limit is 100)
MIN_CLASS_KM = 1.0  # below this the fitted speed is not offered


@dataclass
class ClassSpeeds:
    """Observed metres and seconds per highway class for one vehicle kind."""

    metres: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def fitted_kmh(self, min_km: float = MIN_CLASS_KM) -> dict[str, float]:
        """km/h per class with at least min_km observed."""
        return {
            cls: round(self.metres[cls] / self.seconds[cls] * 3.6, 1)
            for cls in self.metres
            if self.metres[cls] >= min_km * 1000 and self.seconds[cls] > 0
        }


def _legs(engine: RoadEngine, kind: str, trace: list[tuple[float, float, float, float]]) -> list:
    """OSRM match of (lon, lat, epoch s, accuracy m) fixes: [(seconds, annotation), ...]."""
    params = osrm.MatchParameters(
        coordinates=[(lon, lat) for lon, lat, _, _ in trace],
        timestamps=[int(t) for _, _, t, _ in trace],
        radiuses=[max(5.0, min(acc or 10.0, 50.0)) for _, _, _, acc in trace],
        annotations=["nodes", "distance", "duration"],
        overview="false",
        gaps="split",
        tidy=True,
        generate_hints=False,
    )
    try:
        result = plain(engine.match(kind, params))
    except RuntimeError:
        return []  # NoMatch: the trace is off the roads (a ferry, a parking lot)
    times = [t for _, _, t, _ in trace]
    legs = []
    points = result["tracepoints"]
    for matching_index, matching in enumerate(result["matchings"]):
        indexes = [i for i, p in enumerate(points) if p and p["matchings_index"] == matching_index]
        for leg, (a, b) in zip(
            matching["legs"], zip(indexes, indexes[1:], strict=False), strict=False
        ):
            legs.append((times[b] - times[a], leg["annotation"]))
    return legs


def observe(engine: RoadEngine, kind: str, traces: list[list], into: ClassSpeeds) -> None:
    """Add the matched traces' metres and seconds per class to `into`."""
    network = engine.network
    for trace in traces:
        for start in range(0, len(trace) - 1, MATCH_CHUNK - 1):
            chunk = trace[start : start + MATCH_CHUNK]
            for seconds, annotation in _legs(engine, kind, chunk) if len(chunk) > 1 else []:
                _share(network, seconds, annotation, into)


def _share(network, seconds: float, annotation: dict, into: ClassSpeeds) -> None:  # noqa: ANN001
    nodes, metres, expected = annotation["nodes"], annotation["distance"], annotation["duration"]
    total_expected = sum(expected)
    if seconds <= 0 or total_expected <= 0 or not metres:
        return
    for (a, b), piece_m, piece_s in zip(
        zip(nodes, nodes[1:], strict=False), metres, expected, strict=False
    ):
        cls = network.class_of(int(a), int(b)) if network else None
        if cls is None:
            continue
        into.metres[cls] += piece_m
        into.seconds[cls] += seconds * piece_s / total_expected
