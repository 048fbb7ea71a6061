"""A small OSM extract written with pyosmium: the tags the real extract lacks."""

from __future__ import annotations

from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way

# Around Klandasan Ilir, Balikpapan Kota (lon, lat).
BASE_LON, BASE_LAT = 116.8300, -1.2700
STEP = 0.001  # ~110 m


def write_extract(
    path: Path, *, street_name: str = "Jalan Uji Coba", extra_shop: bool = False
) -> Path:
    """A street, a named building with addr:*, a shop, a bank, an unnamed shop (ignored)."""
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for i in range(5):
            writer.add_node(Node(id=100 + i, location=(BASE_LON + i * STEP, BASE_LAT)))
        # A closed way for the building: four corners and back.
        corners = [(0, 1), (1, 1), (1, 2), (0, 2)]
        for i, (dx, dy) in enumerate(corners):
            loc = (BASE_LON + dx * STEP / 2, BASE_LAT + dy * STEP / 2)
            writer.add_node(Node(id=200 + i, location=loc))
        shop_tags = {
            "shop": "convenience",
            "name": "Indomaret Uji Coba",
            "addr:street": street_name,
            "addr:housenumber": "12",
        }
        writer.add_node(
            Node(id=300, location=(BASE_LON + 0.0015, BASE_LAT - 0.0003), tags=shop_tags)
        )
        writer.add_node(
            Node(
                id=301,
                location=(BASE_LON + 0.0025, BASE_LAT - 0.0003),
                tags={"amenity": "bank", "name": "Bank Mandiri Uji Coba"},
            )
        )
        writer.add_node(
            Node(id=302, location=(BASE_LON + 0.0030, BASE_LAT - 0.0003), tags={"shop": "bakery"})
        )
        if extra_shop:
            writer.add_node(
                Node(
                    id=303,
                    location=(BASE_LON + 0.0035, BASE_LAT - 0.0003),
                    tags={"shop": "hardware", "name": "Toko Besi Baru"},
                )
            )
        writer.add_way(
            Way(
                id=1000,
                nodes=[100, 101, 102, 103, 104],
                tags={"highway": "secondary", "name": street_name, "ref": "U1", "oneway": "yes"},
            )
        )
        writer.add_way(
            Way(
                id=1001,
                nodes=[200, 201, 202, 203, 200],
                tags={
                    "building": "yes",
                    "name": "Gedung Uji Coba",
                    "addr:street": street_name,
                    "addr:housenumber": "7",
                    "addr:city": "Balikpapan",
                },
            )
        )
    finally:
        writer.close()
    return path
