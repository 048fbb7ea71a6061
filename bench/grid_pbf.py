"""Write a city-grid road network as .osm.pbf with pyosmium, for the large routing bench.

SIDE x SIDE intersections 100 m apart, two shape nodes on every block edge (as real OSM has
between intersections: about five nodes per intersection), each row and column one way
(split where a way would pass OSM's 2,000-node limit). Every tenth row and column is a
primary road, every fifth a secondary one, every 37th row is one-way; the rest residential.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import osmium

ORIGIN = (110.0, -7.5)  # south-west corner, somewhere in Central Java
STEP_DEG = 100 / 111_320  # 100 m between intersections
SHAPE_NODES = 2
MAX_WAY_NODES = 1900


def _highway(index: int) -> str:
    if index % 10 == 0:
        return "primary"
    return "secondary" if index % 5 == 0 else "residential"


def _node_id(side: int, row: int, col: int, sub: int, horizontal: bool) -> int:
    """Intersections first, then the shape nodes of horizontal, then vertical edges."""
    if sub == 0:
        return 1 + row * side + col
    block = side * side + (0 if horizontal else side * side * SHAPE_NODES)
    return 1 + block + (row * side + col) * SHAPE_NODES + (sub - 1)


def write_grid(path: Path, side: int) -> int:
    """Write the grid; returns the node count."""
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    nodes = 0
    try:
        for row in range(side):
            for col in range(side):
                lon, lat = ORIGIN[0] + col * STEP_DEG, ORIGIN[1] + row * STEP_DEG
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=_node_id(side, row, col, 0, True), location=(lon, lat)
                    )
                )
                nodes += 1
                for horizontal in (True, False):
                    for sub in range(1, SHAPE_NODES + 1):
                        frac = sub / (SHAPE_NODES + 1)
                        at = (
                            (lon + frac * STEP_DEG, lat)
                            if horizontal
                            else (lon, lat + frac * STEP_DEG)
                        )
                        writer.add_node(
                            osmium.osm.mutable.Node(
                                id=_node_id(side, row, col, sub, horizontal), location=at
                            )
                        )
                        nodes += 1
        way_id = 1
        for horizontal in (True, False):
            for line in range(side):
                refs = []
                for k in range(side):
                    row, col = (line, k) if horizontal else (k, line)
                    refs.append(_node_id(side, row, col, 0, horizontal))
                    if k < side - 1:
                        refs.extend(
                            _node_id(side, row, col, s, horizontal)
                            for s in range(1, SHAPE_NODES + 1)
                        )
                tags = {
                    "highway": _highway(line),
                    "name": f"Jalan Uji {'B' if horizontal else 'U'}{line}",
                }
                if horizontal and line % 37 == 0:
                    tags["oneway"] = "yes"
                for start in range(0, len(refs) - 1, MAX_WAY_NODES):
                    writer.add_way(
                        osmium.osm.mutable.Way(
                            id=way_id, nodes=refs[start : start + MAX_WAY_NODES + 1], tags=tags
                        )
                    )
                    way_id += 1
    finally:
        writer.close()
    return nodes


def grid_bounds(side: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a grid of this side."""
    span = (side - 1) * STEP_DEG
    return ORIGIN[0], ORIGIN[1], ORIGIN[0] + span, ORIGIN[1] + span


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--side", type=int, default=448, help="intersections per side")
    args = parser.parse_args()
    print(f"{write_grid(args.path, args.side):,} nodes written to {args.path}")
