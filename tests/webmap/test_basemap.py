"""The street basemap in headless Chromium on all four pages, every other host blocked.

Real Balikpapan streets (the `balikpapan` fixture) under the pages' own data; MapLibre draws
them from GET /tiles/... with the local fonts. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import pytest

from tests.places.realdata import load_balikpapan, remove_balikpapan


@pytest.fixture(scope="module")
def balikpapan(engine, shared_data):  # noqa: ANN001, ANN201
    yield load_balikpapan(engine, shared_data)
    remove_balikpapan(engine)


ROLE = {"operator": "operator", "commander": "commander", "planner": "planner", "unit": "unit"}
# Klandasan, Kec. Balikpapan Kota: dense named streets of the extract.
VIEW = "[-1.2705, 116.8245], 16"

# Holds the view on Klandasan (a page may fit its own data once its fetches return), then
# counts the street names MapLibre has drawn.
RENDERED_LABELS = """() => {
  if (Siaga.map().getZoom() !== 16) Siaga.map().setView([-1.2705, 116.8245], 16, {animate: false});
  const gl = window.Siaga && Siaga.basemap && Siaga.basemap.glMap && Siaga.basemap.glMap();
  if (!gl || !gl.isStyleLoaded() || !gl.areTilesLoaded()) return 0;
  return gl.queryRenderedFeatures({layers: ['road-label']}).length;
}"""


@pytest.mark.parametrize("page", sorted(ROLE))
def test_basemap_draws_street_names_offline(open_page, balikpapan, db_session, page) -> None:
    viewport = (390, 844) if page == "unit" else (1400, 900)
    visit = open_page(f"/{page}", role=ROLE[page], viewport=viewport)
    if page == "unit":  # the map layer of jurisdictions is for desks (api/policy.py)
        visit.allow(403, "/api/map/jurisdictions")
    tab = visit.page
    tab.wait_for_function("() => window.Siaga && Siaga.basemap && Siaga.basemap.glMap()")
    tab.wait_for_timeout(1500)  # let the page fit its own view first, then look at Klandasan
    tab.evaluate(f"() => Siaga.map().setView({VIEW}, {{animate: false}})")
    tab.wait_for_function(RENDERED_LABELS, timeout=20000)
    names = tab.evaluate(
        "() => Siaga.basemap.glMap().queryRenderedFeatures({layers: ['road-label']})"
        ".map((f) => f.properties.name)"
    )
    from sqlalchemy import text

    real = set(db_session.execute(text("SELECT DISTINCT name FROM streets")).scalars())
    assert names and set(names) <= real, names  # real street names, drawn on the map
    visit.screenshot(f"basemap-{page}")
    assert any("/tiles/15/" in url for url in visit.requests)  # 512 px tiles: one zoom less
    visit.assert_clean()


def test_night_theme_switch(open_page, balikpapan) -> None:
    visit = open_page("/commander", role="commander")
    tab = visit.page
    tab.wait_for_function("() => window.Siaga && Siaga.basemap && Siaga.basemap.glMap()")
    tab.evaluate(f"() => Siaga.map().setView({VIEW}, {{animate: false}})")
    tab.wait_for_function(RENDERED_LABELS, timeout=20000)
    day = tab.evaluate(
        "() => Siaga.basemap.glMap().getPaintProperty('background', 'background-color')"
    )
    tab.click("button.basemap-theme")
    tab.wait_for_function(
        "() => Siaga.basemap.glMap().getPaintProperty('background', 'background-color')"
        " === '#0e141b'",
        timeout=20000,
    )
    night = tab.evaluate(
        "() => Siaga.basemap.glMap().getPaintProperty('background', 'background-color')"
    )
    assert (day, night) == ("#f3f0ea", "#0e141b")
    assert tab.evaluate("() => document.documentElement.dataset.basemap") == "night"
    visit.screenshot("basemap-commander-night")
    tab.evaluate("() => localStorage.removeItem('siaga_basemap_theme')")
    visit.assert_clean()
