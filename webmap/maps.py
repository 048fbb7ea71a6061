"""Folium map builders: every page is a folium figure whose scripts and styles are local."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import folium
from branca.element import CssLink, Element, JavascriptLink
from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.errors import NotFound
from core.settings import Settings
from jurisdictions.timezones import page_zones
from webmap.assets import (
    BASEMAP_JS,
    BASEMAP_STYLE,
    LEAFLET_CSS,
    LEAFLET_HEAT_JS,
    LEAFLET_JS,
    MAPLIBRE_CSS,
    MAPLIBRE_JS,
    MAPLIBRE_LEAFLET_JS,
)

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
# Centre of the synthetic demo city (Balikpapan Kota area); pages fit to the jurisdictions.
DEFAULT_CENTER = (-1.265, 116.84)
TILE_ATTRIBUTION = "Peta dasar: penyedia tile yang dikonfigurasi"
# Shown on every map: the vector basemap is OSM data (ODbL), the areas cahyadsn's (MIT).
BASEMAP_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors (ODbL)'
    " · batas wilayah: cahyadsn/wilayah_boundaries (MIT)"
)
LIVE_JS = "/static/siaga/live.js"
# Trackers' SOS alerts on the consoles that watch units (sos.js, on alerts.js' banners).
SOS_JS = ("/static/siaga/alerts.js", "/static/siaga/sos.js")


@dataclass(frozen=True)
class PageSpec:
    """One page: its title, its panel template, its script and extra scripts."""

    title: str
    template: str
    script: str
    extra_js: tuple[str, ...] = ()


PAGES: dict[str, PageSpec] = {
    "operator": PageSpec("Konsol Operator 110", "operator.html", "operator.js", (LIVE_JS, *SOS_JS)),
    "commander": PageSpec(
        "Peta Komando Langsung", "commander.html", "commander.js", (LIVE_JS, *SOS_JS)
    ),
    "planner": PageSpec(
        "Analisis Perencanaan",
        "planner.html",
        "planner.js",
        extra_js=(LEAFLET_HEAT_JS, "/static/siaga/planner_coverage.js"),
    ),
    "unit": PageSpec("Halaman Unit Patroli", "unit.html", "unit.js"),
}


def build_map(*, tile_url: str = "") -> folium.Map:
    """A Leaflet map with local assets only; a tile layer only when a tile URL is given."""
    fmap = folium.Map(
        location=DEFAULT_CENTER, zoom_start=13, tiles=None, control_scale=True, prefer_canvas=False
    )
    # Instance lists: folium's class defaults point at CDNs, and add_js_link would edit them.
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    if tile_url:
        folium.TileLayer(
            tiles=tile_url, attr=TILE_ATTRIBUTION, name="Peta dasar", max_zoom=19
        ).add_to(fmap)
    return fmap


def dispatch_vocabulary() -> dict[str, dict]:
    """Categories, priorities, dispositions and call-back outcomes for the forms."""
    try:
        from dispatch import taxonomy
    except ImportError:  # dispatch not installed: the forms fall back to free text
        return {}
    names = ("categories", "priorities", "channels", "dispositions", "callback_outcomes")
    vocab = {name: getattr(taxonomy, name.upper(), {}) for name in names}
    vocab["validity"] = getattr(taxonomy, "VALIDITY_LABELS", {})
    return vocab


def render_page(settings: Settings, *, page: str) -> str:
    """The whole HTML document of a page: folium figure + panel + page script."""
    if page not in PAGES:
        raise NotFound(f"halaman tidak dikenal: {page}", field="page")
    return _render(page, settings.tile_url)


# A page depends only on its name and the tile URL: render each once per process.
@lru_cache(maxsize=32)
def _render(page: str, tile_url: str) -> str:
    spec = PAGES[page]
    fmap = build_map(tile_url=tile_url)
    root = fmap.get_root()
    config = {
        "page": page,
        "map": fmap.get_name(),
        "tiles": bool(tile_url),
        "basemap": {"style": BASEMAP_STYLE, "attribution": BASEMAP_ATTRIBUTION},
        "vocab": dispatch_vocabulary(),
        "zones": page_zones(),
    }
    header = TEMPLATES.get_template("head.html").render(
        title=spec.title,
        page=page,
        extra_js=spec.extra_js,
        script=spec.script,
        config_json=json.dumps(config).replace("</", "<\\/"),  # safe inside <script>
    )
    # Leaflet first: folium adds its links at render time, after our scripts (same names
    # keep this position), and leaflet.heat needs L when it loads.
    root.header.add_child(JavascriptLink(LEAFLET_JS), name="leaflet")
    root.header.add_child(CssLink(LEAFLET_CSS), name="leaflet_css")
    # The basemap after Leaflet (the plugin needs L) and before the page scripts.
    root.header.add_child(CssLink(MAPLIBRE_CSS), name="maplibre_css")
    root.header.add_child(JavascriptLink(MAPLIBRE_JS), name="maplibre")
    root.header.add_child(JavascriptLink(MAPLIBRE_LEAFLET_JS), name="maplibre_leaflet")
    root.header.add_child(JavascriptLink(BASEMAP_JS), name="siaga_basemap")
    root.header.add_child(Element(header), name="siaga_head")
    panel = TEMPLATES.get_template(spec.template).render(title=spec.title)
    root.html.add_child(Element(panel), name="siaga_panel")
    return root.render()
