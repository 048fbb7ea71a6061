"""The street basemap in headless Chromium on all four pages, every other host blocked.

Real Balikpapan streets (the `balikpapan` fixture) under the pages' own data; MapLibre draws
them from GET /tiles/... with the local fonts. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import http.server
import io
import threading
import time
import uuid

import pytest
from sqlalchemy import text

from tests.dispatch.factories import purge
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


@pytest.fixture(scope="module")
def demo_jurisdictions(engine, settings, tokens):  # noqa: ANN001, ANN201
    """The real demo set (Polda Kaltim -> Polresta -> 6 Polsek) committed for this module, with
    tokens of an operator of the Polda and of Polsek Balikpapan Kota; removed afterwards."""
    from sqlalchemy.orm import Session

    from jurisdictions.demo import DEMO_FILE, ROAD_POLSEK_CODE
    from jurisdictions.importer import import_file
    from tests.webmap.factories import issue_test_token

    with Session(engine) as session:
        import_file(session, path=DEMO_FILE)
        session.commit()
        ids = dict(
            session.execute(
                text(
                    "SELECT code, id FROM jurisdictions WHERE valid_to IS NULL AND code LIKE '64%'"
                )
            ).all()
        )
    tag = uuid.uuid4().hex[:6]
    mine = {
        "kaltim_polda": issue_test_token(
            engine,
            settings,
            username=f"kaltim.{tag}",
            role="polda_operator",
            jurisdiction_id=ids["64"],
        ),
        "kaltim_polsek": issue_test_token(
            engine,
            settings,
            username=f"bpnkota.{tag}",
            role="polsek_operator",
            jurisdiction_id=ids[ROAD_POLSEK_CODE],
        ),
    }
    tokens.update(mine)  # open_page(role="kaltim_polda") logs the tab in before it loads
    yield ids
    for role in mine:
        tokens.pop(role)
    with Session(engine) as session:
        made = list(
            session.scalars(text("SELECT id FROM incidents WHERE polda_id = :p"), {"p": ids["64"]})
        )
        purge(session, incident_ids=made)
        session.execute(text("DELETE FROM users WHERE username LIKE :t"), {"t": f"%.{tag}"})
        session.execute(
            text("DELETE FROM jurisdictions WHERE id = ANY(:ids)"), {"ids": list(ids.values())}
        )
        session.commit()


def test_keyboard_only_search_pick_create(open_page, balikpapan, demo_jurisdictions) -> None:
    visit = open_page("/operator", role="kaltim_polda")
    tab = visit.page
    tab.wait_for_function("() => window.Siaga && Siaga.operator && Siaga.operator.search")
    started = time.monotonic()
    tab.keyboard.type("081234567001")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Rina Lestari")
    tab.keyboard.press("Alt+L")
    typed = time.monotonic()
    tab.keyboard.type("jl sudirman depan bank mandiri")
    tab.wait_for_selector("#place-results [role=option]")
    entered = time.monotonic()
    tab.keyboard.press("Enter")  # the first result: Bank Mandiri on Jl. Jenderal Sudirman
    tab.wait_for_function(
        "() => document.getElementById('chain-polsek').textContent === 'Polsek Balikpapan Kota'"
    )
    tab.wait_for_function(
        "() => document.getElementById('chain-place').textContent"
        ".startsWith('Jl. Jenderal Sudirman')"
    )
    pinned_s, answered_s = time.monotonic() - typed, time.monotonic() - entered
    assert tab.evaluate("() => document.activeElement.id") == "category"
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("Control+Enter")
    tab.wait_for_selector("#incident-box:not([hidden])")
    intake_s = time.monotonic() - started
    where = tab.inner_text("#incident-location")
    assert where.startswith("Lokasi: Jl. Jenderal Sudirman ±") and "dekat Bank Mandiri" in where
    assert where.endswith("Kel. Klandasan Ilir, Kec. Balikpapan Kota")
    assert "Polsek Balikpapan Kota" in tab.inner_text("#incident-status")
    # The issue's bar is the pin there within 10 s of typing, without the mouse; the machine's
    # part of it (Enter -> pin, jurisdiction and description shown) alone must stay inside it
    # even on a loaded test machine. Typing speed is the runner's, so it is printed.
    assert answered_s < 10, answered_s
    print(
        f"keyboard intake: pin {answered_s:.1f} s after Enter, {pinned_s:.1f} s after typing"
        f" began; incident created {intake_s:.1f} s after the first key"
    )
    visit.screenshot("operator-keyboard-intake")
    visit.assert_clean()


def test_results_inside_the_operators_jurisdiction_come_first(
    open_page, balikpapan, demo_jurisdictions
) -> None:
    visit = open_page("/operator", role="kaltim_polsek")
    tab = visit.page
    tab.wait_for_function("() => window.Siaga && Siaga.operator && Siaga.operator.search")
    # The map centre in Balikpapan Utara: nearer Indomarets are outside Polsek Balikpapan Kota.
    tab.evaluate("() => Siaga.map().setView([-1.2052, 116.862], 15, {animate: false})")
    tab.keyboard.press("Alt+L")
    tab.keyboard.type("indomaret")
    tab.wait_for_selector("#place-results [role=option]")
    results = tab.evaluate("() => Siaga.operator.search.results")
    flags = [r["in_scope"] for r in results]
    assert True in flags and False in flags, results  # both kinds were found
    assert flags == sorted(flags, reverse=True), flags  # every one inside before any outside
    inside = [r for r in results if r["in_scope"]]
    assert all("Kec. Balikpapan Kota" in r["description"] for r in inside), inside
    outside = [r for r in results if not r["in_scope"]]
    assert min(r["distance_m"] for r in outside) < min(r["distance_m"] for r in inside)
    shown = tab.locator("#place-results [role=option]").all_inner_texts()
    assert [t.split(" ")[0] for t in shown][: len(results)] and results[0]["name"] in shown[0]
    visit.screenshot("operator-search-scope-first")
    visit.assert_clean()


class _TileHandler(http.server.BaseHTTPRequestHandler):
    """A local raster tile server: every tile one flat magenta PNG."""

    body = b""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def tile_server(free_tcp_port):  # noqa: ANN001, ANN201
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), MAGENTA).save(buffer, format="PNG")
    _TileHandler.body = buffer.getvalue()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_tcp_port), _TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{free_tcp_port}"
    server.shutdown()
    thread.join(timeout=5)


MAGENTA = (255, 0, 255)


def test_raster_layer_is_drawn_under_the_streets(
    open_page, settings, balikpapan, tile_server
) -> None:
    from PIL import Image

    from tests.webmap.conftest import app_process

    url = f"http://{tile_server}/{{z}}/{{x}}/{{y}}.png"
    with app_process(settings, SIAGA_TILE_URL=url) as server:
        visit = open_page("/commander", role="commander", server=server, hosts=[tile_server])
        tab = visit.page
        tab.wait_for_function("() => window.Siaga && Siaga.basemap && Siaga.basemap.glMap()")
        tab.evaluate(f"() => Siaga.map().setView({VIEW}, {{animate: false}})")
        tab.wait_for_function(RENDERED_LABELS, timeout=20000)
        tab.wait_for_function(
            "() => [...document.querySelectorAll('img.leaflet-tile')]"
            ".some((t) => t.complete && t.naturalWidth > 0)"
        )
        shot = visit.screenshot("basemap-raster-under-streets")
        box = tab.locator(".leaflet-container").bounding_box()
        assert any(u.startswith(f"http://{tile_server}/") for u in visit.requests)
        visit.assert_clean()
    pixels = Image.open(shot).convert("RGB")
    left, top = int(box["x"]), int(box["y"])
    right, bottom = left + int(box["width"]) - 1, top + int(box["height"]) - 60  # no attribution
    colours = [
        pixels.getpixel((x, y)) for x in range(left, right, 7) for y in range(top, bottom, 7)
    ]
    magenta = sum(1 for c in colours if c == MAGENTA)
    # The raster shows through where no street is drawn (not hidden under a vector background)
    # and the streets are drawn over it (a raster on top would leave only magenta).
    assert 0.2 < magenta / len(colours) < 0.97, magenta / len(colours)
