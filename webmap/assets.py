"""Local front-end assets: npm packages under node_modules/ and our own static/ (no CDN)."""

from __future__ import annotations

from pathlib import Path

from core.errors import NotFound

WEBMAP_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEBMAP_DIR / "static"
NODE_MODULES = WEBMAP_DIR / "node_modules"

# URL prefix under /static/ -> folder on disk. Only these folders are ever served.
ASSET_ROOTS: dict[str, Path] = {
    "vendor/leaflet": NODE_MODULES / "leaflet" / "dist",
    "vendor/leaflet.heat": NODE_MODULES / "leaflet.heat" / "dist",
    "vendor/maplibre-gl": NODE_MODULES / "maplibre-gl" / "dist",
    "vendor/maplibre-gl-leaflet": NODE_MODULES / "@maplibre" / "maplibre-gl-leaflet",
    "siaga": STATIC_DIR,
}

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"
LEAFLET_HEAT_JS = "/static/vendor/leaflet.heat/leaflet-heat.js"
# The vector basemap: MapLibre GL JS drawn as a Leaflet layer (one module for all pages).
MAPLIBRE_JS = "/static/vendor/maplibre-gl/maplibre-gl.js"
MAPLIBRE_CSS = "/static/vendor/maplibre-gl/maplibre-gl.css"
MAPLIBRE_LEAFLET_JS = "/static/vendor/maplibre-gl-leaflet/leaflet-maplibre-gl.js"
BASEMAP_JS = "/static/siaga/basemap.js"
BASEMAP_STYLE = "/static/siaga/basemap-style.json"

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".map": "application/json",
    ".json": "application/json",
}


def resolve_asset(path: str) -> Path:
    """Map a /static/ sub-path to a file inside one of ASSET_ROOTS; NotFound otherwise."""
    for prefix, root in ASSET_ROOTS.items():
        if not path.startswith(prefix + "/"):
            continue
        candidate = (root / path[len(prefix) + 1 :]).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            if candidate.suffix in MEDIA_TYPES:
                return candidate
    raise NotFound(f"berkas statis tidak ditemukan: {path}", field="path")


def media_type(path: Path) -> str:
    """Content type of a served asset."""
    return MEDIA_TYPES.get(path.suffix, "application/octet-stream")
