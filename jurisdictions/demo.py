"""The synthetic demo set (SINTETIS): one Polda, one Polres, four Polsek over the demo city.

Drawn over the area of the real Balikpapan Kota road extract (lon 116.806-116.875,
lat -1.281 to -1.248) so that road-network ETAs work in the demo. The polygons are invented;
every name says SINTETIS.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.settings import PROJECT_ROOT

DEMO_FILE = PROJECT_ROOT / "data" / "boundaries" / "demo_sintetis.geojson"
WEST, EAST, SOUTH, NORTH = 116.800, 116.880, -1.290, -1.240
MID_LON, MID_LAT = 116.840, -1.265
# Inner borders bend at these points, so borders are not plain grid lines.
BEND_NS = (116.843, -1.252)
BEND_EW = (116.822, -1.262)

POLSEK = [
    ("SIN.01.01", "Polsek Pantai Barat (SINTETIS)", "south-west"),
    ("SIN.01.02", "Polsek Bukit Barat (SINTETIS)", "north-west"),
    ("SIN.01.03", "Polsek Bukit Timur (SINTETIS)", "north-east"),
    ("SIN.01.04", "Polsek Pantai Timur (SINTETIS)", "south-east"),
]


def _quadrant(where: str) -> list[list[float]]:
    centre = [MID_LON, MID_LAT]
    north_bend, south = [BEND_NS[0], BEND_NS[1]], [MID_LON, SOUTH]
    west_bend, east = [BEND_EW[0], BEND_EW[1]], [EAST, MID_LAT]
    rings = {
        "south-west": [[WEST, SOUTH], south, centre, west_bend, [WEST, MID_LAT], [WEST, SOUTH]],
        "north-west": [
            [WEST, MID_LAT],
            west_bend,
            centre,
            north_bend,
            [MID_LON, NORTH],
            [WEST, NORTH],
            [WEST, MID_LAT],
        ],
        "north-east": [centre, east, [EAST, NORTH], [MID_LON, NORTH], north_bend, centre],
        "south-east": [south, [EAST, SOUTH], east, centre, south],
    }
    return rings[where]


def _feature(props: dict, ring: list[list[float]]) -> dict:
    return {
        "type": "Feature",
        "properties": {**props, "sintetis": True},
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
    }


def demo_collection() -> dict:
    """The demo set as a GeoJSON FeatureCollection (project schema: code, name, level, ...)."""
    outline = [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
    features = [
        _feature(
            {
                "code": "SIN",
                "name": "Polda Kaltim Demo (SINTETIS)",
                "level": "polda",
                "parent": None,
                "response_target_s": None,
                "timezone": "WITA",
            },
            outline,
        ),
        _feature(
            {
                "code": "SIN.01",
                "name": "Polresta Balikpapan Demo (SINTETIS)",
                "level": "polres",
                "parent": "SIN",
                "response_target_s": 600,
                "timezone": "WITA",
            },
            outline,
        ),
    ]
    for code, name, where in POLSEK:
        props = {
            "code": code,
            "name": name,
            "level": "polsek",
            "parent": "SIN.01",
            "response_target_s": None,
            "timezone": None,
        }
        features.append(_feature(props, _quadrant(where)))
    return {
        "type": "FeatureCollection",
        "name": "siaga110_demo_sintetis",
        "description": "SINTETIS / synthetic: invented jurisdictions for the Siaga 110 demo.",
        "features": features,
    }


def write_demo_set(path: Path = DEMO_FILE) -> Path:
    """Write the synthetic demo GeoJSON (deterministic bytes) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(demo_collection(), indent=1) + "\n", encoding="utf-8")
    return path
