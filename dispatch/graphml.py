"""Read an OSMnx GraphML drive graph with the standard library (no networkx needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

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
