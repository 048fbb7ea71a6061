"""Baseline only: the hand-written router that OSRM replaced (GraphML + scipy Dijkstra), frozen.

bench_roads.py times it beside OSRM in the same run; nothing outside bench/ imports it.
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

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@dataclass(frozen=True)
class GraphEdge:
    """A directed edge: OSM node ids, length, highway class, maxspeed and its shape (lon, lat)."""

    source: str
    target: str
    length_m: float
    highway: str
    maxspeed_kmh: float | None
    coords: list[tuple[float, float]] | None  # None: a straight line between the two nodes


def _highway_class(value: str) -> str:
    value = value.strip("[]").split(",")[0].strip(" '\"")
    return "link" if value.endswith("_link") else value


def _maxspeed_kmh(value: str | None) -> float | None:
    try:
        return float(value.split(";")[0]) if value else None
    except ValueError:
        return None


def _linestring(wkt: str | None) -> list[tuple[float, float]] | None:
    if not wkt or not wkt.startswith("LINESTRING"):
        return None
    body = wkt[wkt.index("(") + 1 : wkt.rindex(")")]
    return [(float(x), float(y)) for x, y in (pair.split() for pair in body.split(","))]


def read_graphml(path: Path) -> tuple[dict[str, tuple[float, float]], list[GraphEdge]]:
    """Nodes {osm id: (lon, lat)} and directed edges of an OSMnx GraphML file."""
    root = ET.parse(path).getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(f"{GRAPHML}key")}
    nodes: dict[str, tuple[float, float]] = {}
    edges: list[GraphEdge] = []
    for element in root.iter():
        if element.tag not in (f"{GRAPHML}node", f"{GRAPHML}edge"):
            continue
        data = {keys.get(d.get("key")): d.text for d in element.findall(f"{GRAPHML}data")}
        if element.tag == f"{GRAPHML}node":
            nodes[element.get("id")] = (float(data["x"]), float(data["y"]))
            continue
        edges.append(
            GraphEdge(
                source=element.get("source"),
                target=element.get("target"),
                length_m=float(data["length"]),
                highway=_highway_class(data.get("highway") or ""),
                maxspeed_kmh=_maxspeed_kmh(data.get("maxspeed")),
                coords=_linestring(data.get("geometry")),
            )
        )
    return nodes, edges


log = logging.getLogger("siaga.bench.legacy_router")

# An incident further than this from any road of the graph is "outside the loaded road area".
MAX_SNAP_M = 300.0
# A unit may be further off the mapped roads (a yard, a port, an unmapped gang) and still be
# routed: the off-road leg is timed at the kind's access speed, so it ranks consistently with
# the others instead of switching to the optimistic straight-line estimate.
UNIT_MAX_SNAP_M = 1500.0
SAMPLE_SPACING_M = 20.0


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
        {
            "trunk": 55,
            "primary": 45,
            "secondary": 40,
            "tertiary": 35,
            "unclassified": 28,
            "residential": 25,
            "living_street": 12,
            "service": 15,
            "link": 35,
        },
        25,
        access_kmh=15,
        fallback_kmh=30,
        peak_factor=0.6,
    ),
    "R2": SpeedProfile(
        "R2",
        {
            "trunk": 50,
            "primary": 45,
            "secondary": 42,
            "tertiary": 38,
            "unclassified": 32,
            "residential": 30,
            "living_street": 20,
            "service": 20,
            "link": 38,
        },
        30,
        access_kmh=20,
        fallback_kmh=35,
        peak_factor=0.9,
    ),
}
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


def _utm_epsg(lon: float, lat: float) -> int:
    zone = int((lon + 180) // 6) + 1
    return (32700 if lat < 0 else 32600) + zone


class RoadGraph:
    """A drive graph ready for many-to-one travel times per vehicle kind.

    Points snap to the nearest point of an edge (edges sampled every SAMPLE_SPACING_M), not
    just to intersections: simplified OSM edges run for hundreds of metres.
    """

    def __init__(self, nodes: dict[str, tuple[float, float]], edges: list[GraphEdge]) -> None:
        index = {node_id: i for i, node_id in enumerate(nodes)}
        lonlat = np.array(list(nodes.values()))
        self.node_lonlat = [tuple(p) for p in lonlat.tolist()]
        self.epsg = _utm_epsg(*lonlat.mean(axis=0))
        self.to_metres = Transformer.from_crs(4326, self.epsg, always_xy=True)
        self.node_count = len(nodes)
        self.edges = edges
        self.edge_u = np.array([index[e.source] for e in edges])
        self.edge_v = np.array([index[e.target] for e in edges])
        pairs = zip(self.edge_u.tolist(), self.edge_v.tolist(), strict=True)
        self.by_pair = {(u, v): i for i, (u, v) in enumerate(pairs)}
        self.edge_rev = np.array(
            [
                self.by_pair.get((v, u), -1)
                for u, v in zip(self.edge_u.tolist(), self.edge_v.tolist(), strict=True)
            ]
        )
        points, self.sample_edge, self.sample_frac = self._samples(nodes)
        self.tree = cKDTree(points)
        self._weights: dict[tuple[str, bool], tuple[np.ndarray, csr_matrix]] = {}

    def _samples(self, nodes: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points every SAMPLE_SPACING_M along each edge, with (edge, fraction along it)."""
        points, edge_ids, fractions = [], [], []
        for i, edge in enumerate(self.edges):
            coords = np.array(edge.coords or [nodes[edge.source], nodes[edge.target]])
            xy = np.column_stack(self.to_metres.transform(coords[:, 0], coords[:, 1]))
            along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
            total = along[-1]
            count = max(2, int(np.ceil(total / SAMPLE_SPACING_M)) + 1)
            at = np.linspace(0.0, total, count)
            points.append(
                np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])
            )
            edge_ids.append(np.full(count, i))
            fractions.append(at / total if total > 0 else np.zeros(count))
        return np.vstack(points), np.concatenate(edge_ids), np.concatenate(fractions)

    def _edge_seconds(self, profile: SpeedProfile, peak: bool) -> tuple[np.ndarray, csr_matrix]:
        """Travel seconds per edge, and the reversed (v -> u) matrix of the fastest edges."""
        cache_key = (profile.kind, peak)
        if cache_key not in self._weights:
            seconds = np.array([_edge_time(e, profile, peak) for e in self.edges])
            best: dict[tuple[int, int], float] = {}
            for u, v, sec in zip(self.edge_u, self.edge_v, seconds, strict=True):
                best[(v, u)] = min(sec, best.get((v, u), float("inf")))
            rows, cols = zip(*best, strict=True)
            matrix = csr_matrix(
                (list(best.values()), (rows, cols)), shape=(self.node_count, self.node_count)
            )
            self._weights[cache_key] = (seconds, matrix)
        return self._weights[cache_key]

    def snap(self, lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest edge, fraction along it, and distance in metres for each point."""
        xy = np.column_stack(self.to_metres.transform(lons, lats))
        distance_m, sample = self.tree.query(xy)
        return self.sample_edge[sample], self.sample_frac[sample], distance_m

    def _times_to_target(self, edge: int, frac: float, seconds: np.ndarray, matrix) -> np.ndarray:  # noqa: ANN001
        """Seconds from every node to a point on `edge` (entering it at either end)."""
        reverse = self.edge_rev[edge]
        sources = [self.edge_u[edge]] + ([self.edge_v[edge]] if reverse >= 0 else [])
        dist = np.atleast_2d(dijkstra(matrix, indices=sources))
        to_target = dist[0] + frac * seconds[edge]
        if reverse >= 0:
            to_target = np.minimum(to_target, dist[1] + (1 - frac) * seconds[reverse])
        return to_target

    def times_to(
        self, lon: float, lat: float, *, kind: str, peak: bool, lons: np.ndarray, lats: np.ndarray
    ) -> np.ndarray:
        """Seconds from each (lons, lats) to (lon, lat) by road; NaN where off the network."""
        profile = PROFILES.get(kind, PROFILES["R4"])
        (edge,), (frac,), (target_off_m,) = self.snap(np.array([lon]), np.array([lat]))
        result = np.full(len(lons), np.nan)
        if target_off_m > MAX_SNAP_M or len(lons) == 0:
            return result
        seconds, matrix = self._edge_seconds(profile, peak)
        to_target = self._times_to_target(edge, frac, seconds, matrix)
        edges, fracs, off_m = self.snap(lons, lats)
        # Drive forward to the edge's end, or (two-way roads) back along the reverse edge.
        drive = (1 - fracs) * seconds[edges] + to_target[self.edge_v[edges]]
        reverse = self.edge_rev[edges]
        back = fracs * seconds[np.maximum(reverse, 0)] + to_target[self.edge_u[edges]]
        drive = np.where(reverse >= 0, np.minimum(drive, back), drive)
        ahead = (edges == edge) & (fracs <= frac)  # on the incident's edge, before it
        drive = np.where(ahead, np.minimum(drive, (frac - fracs) * seconds[edge]), drive)
        total = drive + (off_m + target_off_m) / (profile.access_kmh / 3.6)
        ok = (off_m <= UNIT_MAX_SNAP_M) & np.isfinite(total)
        result[ok] = total[ok]
        return result

    def path_to(
        self, origin: tuple[float, float], target: tuple[float, float], *, kind: str
    ) -> list[tuple[float, float]] | None:
        """The fastest road path (lon, lat) from origin to target; None when off the network."""
        (o_edge, t_edge), _, off_m = self.snap(
            np.array([origin[0], target[0]]), np.array([origin[1], target[1]])
        )
        if max(off_m) > MAX_SNAP_M:
            return None
        _, matrix = self._edge_seconds(PROFILES.get(kind, PROFILES["R4"]), False)
        goal = self.edge_u[t_edge]
        # On the reversed graph the predecessor of x is the next node on x's way to the goal.
        _, pred = dijkstra(matrix, indices=int(goal), return_predecessors=True)
        node, nodes = self.edge_v[o_edge], []
        while node >= 0 and node != goal and len(nodes) <= self.node_count:
            nodes.append(node)
            node = pred[node]
        if node != goal:
            return None
        return [origin, *self._shape([*nodes, goal]), target]

    def _shape(self, nodes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for u, v in zip(nodes, nodes[1:], strict=False):
            edge = self.edges[self.by_pair[(int(u), int(v))]]
            points.extend(edge.coords or [self.node_lonlat[u], self.node_lonlat[v]])
        return points or [self.node_lonlat[nodes[0]]]


def _edge_time(edge: GraphEdge, profile: SpeedProfile, peak: bool) -> float:
    kmh = profile.road_kmh.get(edge.highway, profile.default_kmh)
    if edge.maxspeed_kmh:
        kmh = min(kmh, edge.maxspeed_kmh * 1.2)  # emergency vehicles may exceed limits a little
    if peak and edge.highway in ARTERIALS:
        kmh *= profile.peak_factor
    return max(edge.length_m / (kmh / 3.6), 0.01)  # csgraph treats 0 as "no edge"


@lru_cache(maxsize=4)
def load_road_graph(path: str) -> RoadGraph | None:
    """The graph at `path`, loaded once per process (None when the file is missing)."""
    graph_path = Path(path)
    if not graph_path.is_file():
        log.warning("road graph %s not found; ETAs use straight-line distance", path)
        return None
    nodes, edges = read_graphml(graph_path)
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
