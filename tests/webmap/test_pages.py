"""Each page loads in headless Chromium with local assets only; the folium HTML has no CDN."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.webmap.conftest import app_process
from webmap.maps import PAGES, render_page

EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_rendered_page_references_no_other_host(settings, page):
    html = render_page(settings.model_copy(update={"tile_url": ""}), page=page)
    assert not EXTERNAL_URL.search(html), EXTERNAL_URL.search(html)
    assert "cdn" not in html.lower()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert 'lang = "id"' in html


def test_assets_are_served_and_paths_cannot_escape(live_server):
    # The live server, not a second in-process app (that would share its broker client id).
    with httpx.Client(base_url=live_server.url, timeout=5) as client:
        js = client.get("/static/vendor/leaflet/leaflet.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert client.get("/static/vendor/leaflet/images/marker-icon.png").status_code == 200
        assert client.get("/static/siaga/siaga.js").status_code == 200
        for bad in ("siaga/../maps.py", "vendor/leaflet/../../../pyproject.toml", "etc/passwd"):
            assert client.get(f"/static/{bad}").status_code == 404
        assert client.get("/static/siaga/%2e%2e/maps.py").status_code == 404


READY = {
    "operator": "path.leaflet-interactive",
    "commander": "#live-state.on",
    "planner": "#by-hour div",
    "unit": "#unit-title:has-text('WEB-R4-1')",
}


@pytest.mark.parametrize("page", sorted(READY))
def test_page_loads_with_no_failed_or_foreign_request(open_page, city, page):
    role = {"unit": "unit", "planner": "planner", "operator": "operator"}.get(page, "commander")
    visit = open_page(f"/{page}", role=role, viewport=(390, 844) if page == "unit" else (1400, 900))
    if page == "unit":  # api/policy.py gives the map layer to desk roles only
        visit.allow(403, "/api/map/jurisdictions")
    else:
        visit.page.wait_for_selector("path.leaflet-interactive")
    visit.page.wait_for_selector(READY[page], state="attached")
    visit.screenshot(f"{page}-loaded")
    visit.assert_clean()


def test_tile_url_is_used_and_polygons_draw_when_tiles_are_unreachable(
    open_page, settings, city, free_tcp_port
):
    tiles = f"http://127.0.0.1:{free_tcp_port}/tiles/{{z}}/{{x}}/{{y}}.png"  # nothing listens
    html = render_page(settings.model_copy(update={"tile_url": tiles}), page="commander")
    assert tiles in html
    with app_process(settings, SIAGA_TILE_URL=tiles) as live:
        visit = open_page("/operator", role="operator", server=live)
        visit.page.wait_for_selector("img.leaflet-tile", state="attached")
        visit.page.wait_for_selector(".leaflet-tooltip.jur-label")
        assert visit.page.locator("path.leaflet-interactive").count() >= 2
        visit.screenshot("operator-tiles-unreachable")
        tile_prefix = f"http://127.0.0.1:{free_tcp_port}/tiles/"
        assert visit.foreign and all(u.startswith(tile_prefix) for u in visit.foreign)
        assert all(f.startswith(tile_prefix) for f in visit.failed)
        assert not visit.console_errors


def test_login_form_appears_on_401_and_the_page_then_works(open_page, city, tokens):
    visit = open_page("/commander", role=None)
    visit.allow(401, "/api/")  # the first calls, made before anyone logged in
    page = visit.page
    page.wait_for_selector("#login-form")
    visit.screenshot("login-form")
    page.fill("#login-username", "web.commander")
    page.fill("#login-password", "salah-sandi-999")
    page.click("#login-form button")
    page.wait_for_function("() => document.getElementById('login-error').textContent !== ''")
    page.fill("#login-password", "rahasia-uji-123")
    page.click("#login-form button")
    page.wait_for_selector("#live-state.on")
    page.wait_for_selector("path.leaflet-interactive")
    assert page.evaluate("() => sessionStorage.getItem('siaga_token')")
    visit.assert_clean()
