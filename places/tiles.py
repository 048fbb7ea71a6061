"""Vector tiles of the basemap, made by PostGIS (ST_AsMVT), with a cache keyed by data version.

map_data_version moves (a trigger) whenever streets, places, areas or jurisdictions change, so
an import invalidates every cached tile in every API process at once; the ETag carries the
version, so a browser revalidates with a 304 until the data changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput

TILE_SQL = text((Path(__file__).resolve().parent / "sql" / "tile.sql").read_text())
VERSION_SQL = text("SELECT version FROM map_data_version WHERE id = 1")
MAX_ZOOM = 22


def check_tile(z: int, x: int, y: int) -> None:
    """A tile address that exists at its zoom; InvalidInput names the bad part."""
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidInput(f"zoom {z} di luar 0-{MAX_ZOOM}", field="z")
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2**z:
            raise InvalidInput(f"{name} {value} di luar 0-{2**z - 1} pada zoom {z}", field=name)


def data_version(session: Session) -> int:
    """The current map data version (the cache key and ETag)."""
    return int(session.execute(VERSION_SQL).scalar() or 0)


def render_tile(session: Session, *, z: int, x: int, y: int) -> bytes:
    """The raw ST_AsMVT tile (no cache)."""
    check_tile(z, x, y)
    return bytes(session.execute(TILE_SQL, {"z": z, "x": x, "y": y}).scalar() or b"")


class TileCache:
    """Tiles by (version, z, x, y), least recently used evicted; shared by a process's threads."""

    def __init__(self, max_tiles: int = 4096) -> None:
        self.max_tiles = max_tiles
        self._tiles: OrderedDict[tuple[int, int, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._version = -1

    def get(self, key: tuple[int, int, int, int]) -> bytes | None:
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def put(self, key: tuple[int, int, int, int], tile: bytes) -> None:
        with self._lock:
            if key[0] < self._version:  # made from data already replaced
                return
            if key[0] > self._version:  # the data changed: every older tile is dead weight
                self._tiles.clear()
                self._version = key[0]
            self._tiles[key] = tile
            self._tiles.move_to_end(key)
            while len(self._tiles) > self.max_tiles:
                self._tiles.popitem(last=False)


def cached_tile(session: Session, cache: TileCache, *, z: int, x: int, y: int) -> tuple[bytes, int]:
    """(tile, version): from the cache when the data has not changed since it was made."""
    check_tile(z, x, y)
    version = data_version(session)
    key = (version, z, x, y)
    tile = cache.get(key)
    if tile is None:
        tile = render_tile(session, z=z, x=x, y=y)
        cache.put(key, tile)
    return tile, version
