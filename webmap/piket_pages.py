"""The piket pages (Perwira Piket, function desk, Direktur): plain documents, no map.

They share siaga.js (login, apiFetch, formats) with the map pages; all data comes from the
JSON API, so the HTML depends only on the page name and is rendered once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.errors import NotFound
from dispatch.taxonomy import CATEGORIES
from jurisdictions.timezones import page_zones
from piket.functions import FUNCTIONS
from piket.shifts import OFFICER_CHECKS, SHIFT_CHECKS

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
PIKET_PAGES: dict[str, tuple[str, str]] = {
    "piket": ("Meja Perwira Piket", "piket_perwira.html"),
    "fungsi": ("Meja Fungsi Terkait", "piket_fungsi.html"),
    "direktur": ("Laporan Harian untuk Direktur", "piket_direktur.html"),
}


@lru_cache(maxsize=8)
def render_piket_page(page: str) -> str:
    """The whole HTML document of a piket page."""
    if page not in PIKET_PAGES:
        raise NotFound(f"halaman tidak dikenal: {page}", field="page")
    title, body = PIKET_PAGES[page]
    config = {
        "page": page,
        "map": None,
        "vocab": {"categories": CATEGORIES},
        "functions": {code: f.label for code, f in FUNCTIONS.items()},
        "shift_checks": SHIFT_CHECKS,
        "officer_checks": OFFICER_CHECKS,
        "zones": page_zones(),
    }
    return TEMPLATES.get_template("piket_page.html").render(
        title=title,
        page=page,
        body=body,
        config_json=json.dumps(config).replace("</", "<\\/"),  # safe inside <script>
    )
