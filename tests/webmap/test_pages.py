"""Each page loads in headless Chromium with local assets only; the folium HTML has no CDN."""

from __future__ import annotations

import re

import pytest

from webmap.maps import PAGES, render_page

EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_rendered_page_references_no_other_host(settings, page):
    html = render_page(settings.model_copy(update={"tile_url": ""}), page=page)
    assert not EXTERNAL_URL.search(html), EXTERNAL_URL.search(html)
    assert "cdn" not in html.lower()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert 'lang = "id"' in html


def test_assets_are_served_and_paths_cannot_escape(api_client):
    assert api_client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert api_client.get("/static/vendor/leaflet/images/marker-icon.png").status_code == 200
    assert api_client.get("/static/siaga/siaga.js").status_code == 200
    for bad in ("siaga/../maps.py", "vendor/leaflet/../../../pyproject.toml", "etc/passwd"):
        assert api_client.get(f"/static/{bad}").status_code == 404


@pytest.mark.parametrize("page", ["operator", "commander", "planner", "unit"])
def test_page_loads_with_no_failed_or_foreign_request(open_page, city, page):
    viewport = (390, 844) if page == "unit" else (1400, 900)
    visit = open_page(f"/{page}", role="unit" if page == "unit" else "admin", viewport=viewport)
    visit.page.wait_for_selector("path.leaflet-interactive", timeout=15000)
    visit.page.wait_for_load_state("networkidle") if page != "commander" else None
    visit.screenshot(f"{page}-loaded")
    visit.assert_clean()
