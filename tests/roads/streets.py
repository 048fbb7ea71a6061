"""The real extract's streets in metres, to check that points lie on them."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

UTM50S = Transformer.from_crs(4326, 32750, always_xy=True)


def to_metres(geometry):  # noqa: ANN001, ANN201
    """A lon/lat geometry in UTM 50S metres (Balikpapan)."""
    return shapely.transform(geometry, lambda xy: np.column_stack(UTM50S.transform(*xy.T)))


@lru_cache(maxsize=1)
def _streets(shared_data: Path) -> tuple[STRtree, list]:
    ways = json.loads((shared_data / "roads/balikpapan_kota_drive_ways.geojson").read_text())
    lines = [to_metres(shape(f["geometry"])) for f in ways["features"]]
    return STRtree(lines), lines


def street_distances_m(shared_data: Path, points: list[tuple[float, float]]) -> list[float]:
    """Metres from each (lon, lat) to the nearest mapped street of the extract."""
    tree, lines = _streets(shared_data)
    out = []
    for lon, lat in points:
        p = to_metres(Point(lon, lat))
        out.append(float(lines[tree.nearest(p)].distance(p)))
    return out
