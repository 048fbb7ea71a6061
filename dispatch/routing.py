"""Road-network ETAs: an OSM drive graph in a scipy csgraph, one Dijkstra per incident.

The graph (OSMnx GraphML) is loaded once per process. Points snap to the nearest graph node
with a KD-tree in projected metres (the UTM zone of the graph's centre, EPSG:32750 for
Balikpapan). For each vehicle kind the edge weights are travel seconds from an explicit speed
profile; the matrix is stored reversed so ONE Dijkstra from the incident's node gives every
unit's time to the incident. Points off the network use straight line x detour / kind speed.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

log = logging.getLogger("siaga.dispatch.routing")

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
# A point further than this from any graph node is "outside the loaded road area".
MAX_SNAP_M = 400.0


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds in km/h by OSM highway class for one vehicle kind."""

    kind: str
    road_kmh: dict[str, float]
    default_kmh: float
    access_kmh: float  # the leg between the point and its snapped node (kampung alleys)
    fallback_kmh: float  # straight line x DETOUR_FACTOR when off the network
    peak_factor: float  # multiplier on arterials in peak hours


# Urban Indonesian traffic with lights and siren. Motorcycles filter between lanes: a little
# slower than cars on open trunk roads, faster on congested arterials and in narrow streets
# (gang, living streets), and barely slowed at peak hours. Boats never use roads.
PROFILES: dict[str, SpeedProfile] = {
    "R4": SpeedProfile(
        "R4",
        {"trunk": 55, "primary": 45, "secondary": 40, "tertiary": 35, "unclassified": 28,
         "residential": 25, "living_street": 12, "service": 15, "link": 35},
        25, access_kmh=15, fallback_kmh=30, peak_factor=0.6,
    ),
    "R2": SpeedProfile(
        "R2",
        {"trunk": 50, "primary": 45, "secondary": 42, "tertiary": 38, "unclassified": 32,
         "residential": 30, "living_street": 20, "service": 20, "link": 38},
        30, access_kmh=20, fallback_kmh=35, peak_factor=0.9,
    ),
}  # fmt: skip
PROFILES["other"] = PROFILES["R4"]
BOAT_KMH = 25.0
DETOUR_FACTOR = 1.4
ARTERIALS = {"trunk", "primary", "secondary", "link"}
# Local peak hours (WIB/WITA/WIT wall clock): 06:30-09:00 and 16:00-19:00, rounded to hours.
PEAK_HOURS = {6, 7, 8, 16, 17, 18}


@dataclass(frozen=True)
class Eta:
    """Travel time to the incident and how it was estimated."""

    eta_s: float
    method: str  # road | straight | water


def _highway_class(value: str) -> str:
    value = value.strip("[]").split(",")[0].strip(" '\"")
    return "link" if value.endswith("_link") else value


def _maxspeed_kmh(value: str | None) -> float | None:
    try:
        return float(value.split(";")[0]) if value else None
    except ValueError:
        return None


def _parse_graphml(path: Path) -> tuple[dict[str, tuple[float, float]], list[tuple]]:
    """Nodes {osm id: (lon, lat)} and edges (u, v, length_m, highway class, maxspeed)."""
    root = ET.parse(path).getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(f"{GRAPHML}key")}
    nodes: dict[str, tuple[float, float]] = {}
    edges: list[tuple] = []
    for element in root.iter():
        if element.tag not in (f"{GRAPHML}node", f"{GRAPHML}edge"):
            continue
        data = {keys.get(d.get("key")): d.text for d in element.findall(f"{GRAPHML}data")}
        if element.tag == f"{GRAPHML}node":
            nodes[element.get("id")] = (float(data["x"]), float(data["y"]))
        else:
            edges.append(
                (
                    element.get("source"),
                    element.get("target"),
                    float(data["length"]),
                    _highway_class(data.get("highway") or ""),
                    _maxspeed_kmh(data.get("maxspeed")),
                )
            )
    return nodes, edges


def _utm_epsg(lon: float, lat: float) -> int:
    zone = int((lon + 180) // 6) + 1
    return (32700 if lat < 0 else 32600) + zone


class RoadGraph:
    """A drive graph ready for many-to-one travel times per vehicle kind."""

    def __init__(self, nodes: dict[str, tuple[float, float]], edges: list[tuple]) -> None:
        ids = list(nodes)
        index = {node_id: i for i, node_id in enumerate(ids)}
        lonlat = np.array([nodes[i] for i in ids])
        self.epsg = _utm_epsg(*lonlat.mean(axis=0))
        self.to_metres = Transformer.from_crs(4326, self.epsg, always_xy=True)
        xy = np.column_stack(self.to_metres.transform(lonlat[:, 0], lonlat[:, 1]))
        self.tree = cKDTree(xy)
        self.node_count = len(ids)
        self.edges = [(index[u], index[v], length, hw, ms) for u, v, length, hw, ms in edges]
        self._matrices: dict[tuple[str, bool], csr_matrix] = {}

    def _reversed_matrix(self, profile: SpeedProfile, peak: bool) -> csr_matrix:
        """Travel seconds, edges reversed (v -> u), parallel edges reduced to the fastest."""
        cache_key = (profile.kind, peak)
        if cache_key in self._matrices:
            return self._matrices[cache_key]
        best: dict[tuple[int, int], float] = {}
        for u, v, length_m, highway, maxspeed in self.edges:
            kmh = profile.road_kmh.get(highway, profile.default_kmh)
            if maxspeed:
                kmh = min(kmh, maxspeed * 1.2)  # emergency vehicles may exceed limits a little
            if peak and highway in ARTERIALS:
                kmh *= profile.peak_factor
            seconds = max(length_m / (kmh / 3.6), 0.01)  # csgraph treats 0 as "no edge"
            best[(v, u)] = min(seconds, best.get((v, u), float("inf")))
        rows, cols = zip(*best, strict=True) if best else ((), ())
        matrix = csr_matrix(
            (list(best.values()), (rows, cols)), shape=(self.node_count, self.node_count)
        )
        self._matrices[cache_key] = matrix
        return matrix

    def snap(self, lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node index and distance in metres for each point."""
        xy = np.column_stack(self.to_metres.transform(lons, lats))
        distance_m, node = self.tree.query(xy)
        return node, distance_m

    def times_to(
        self, lon: float, lat: float, *, kind: str, peak: bool, lons: np.ndarray, lats: np.ndarray
    ) -> np.ndarray:
        """Seconds from each (lons, lats) to (lon, lat) by road; NaN where off the network."""
        profile = PROFILES.get(kind, PROFILES["R4"])
        (target,), (target_off_m,) = self.snap(np.array([lon]), np.array([lat]))
        result = np.full(len(lons), np.nan)
        if target_off_m > MAX_SNAP_M or len(lons) == 0:
            return result
        to_target = dijkstra(self._reversed_matrix(profile, peak), indices=int(target))
        nodes, off_m = self.snap(lons, lats)
        access_mps = profile.access_kmh / 3.6
        seconds = to_target[nodes] + (off_m + target_off_m) / access_mps
        ok = (off_m <= MAX_SNAP_M) & np.isfinite(seconds)
        result[ok] = seconds[ok]
        return result


@lru_cache(maxsize=4)
def load_road_graph(path: str) -> RoadGraph | None:
    """The graph at `path`, loaded once per process (None when the file is missing)."""
    graph_path = Path(path)
    if not graph_path.is_file():
        log.warning("road graph %s not found; ETAs use straight-line distance", path)
        return None
    nodes, edges = _parse_graphml(graph_path)
    log.info("road graph %s: %d nodes, %d edges", graph_path.name, len(nodes), len(edges))
    return RoadGraph(nodes, edges)


def straight_line_eta(distance_m: float, kind: str) -> Eta:
    """Straight-line distance x detour factor at the kind's fallback speed (boats: by water)."""
    if kind == "boat":
        return Eta(distance_m / (BOAT_KMH / 3.6), "water")
    profile = PROFILES.get(kind, PROFILES["R4"])
    return Eta(distance_m * DETOUR_FACTOR / (profile.fallback_kmh / 3.6), "straight")


def estimate_etas(
    graph: RoadGraph | None,
    *,
    lon: float,
    lat: float,
    peak: bool,
    units: list[tuple[str, float, float, float]],
) -> list[Eta]:
    """ETA for each unit (kind, lon, lat, straight distance m): one Dijkstra per kind present."""
    etas: list[Eta | None] = [None] * len(units)
    if graph is not None:
        for kind in {u[0] for u in units} - {"boat"}:
            idx = [i for i, u in enumerate(units) if u[0] == kind]
            lons = np.array([units[i][1] for i in idx])
            lats = np.array([units[i][2] for i in idx])
            times = graph.times_to(lon, lat, kind=kind, peak=peak, lons=lons, lats=lats)
            for i, seconds in zip(idx, times, strict=True):
                if not np.isnan(seconds):
                    etas[i] = Eta(float(seconds), "road")
    return [eta or straight_line_eta(u[3], u[0]) for eta, u in zip(etas, units, strict=True)]
