"""The SPKT desk page and the public SP2HP page (HTML shells; data from the JSON API)."""

from __future__ import annotations

import json
from functools import lru_cache

from core.settings import Settings
from jurisdictions.timezones import page_zones
from webmap.maps import TEMPLATES, dispatch_vocabulary


@lru_cache(maxsize=8)
def _desk(tile_url: str) -> str:
    config = {
        "page": "spkt",
        "map": None,
        "tile_url": tile_url,
        "vocab": dispatch_vocabulary(),
        "zones": page_zones(),
    }
    return TEMPLATES.get_template("spkt_page.html").render(
        config_json=json.dumps(config).replace("</", "<\\/")
    )


def render_desk_page(settings: Settings) -> str:
    """The SPKT desk (also Sat Reskrim's view of its cases)."""
    return _desk(settings.tile_url)


@lru_cache(maxsize=1)
def render_sp2hp_page() -> str:
    """The public progress page: no login, no other data."""
    return TEMPLATES.get_template("sp2hp_page.html").render()
