"""Commander live map: units arrive by server-sent events and move without a page reload."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from tests.webmap.factories import move_unit


def _first_event(live_server, token: str) -> tuple[str, dict]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    with httpx.stream("GET", live_server.url + "/api/live/units", headers=headers, timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        name, data = "", ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif not line and data:
                return name, json.loads(data)
    raise AssertionError("stream ended without an event")


def test_live_stream_starts_with_every_unit_in_scope(live_server, tokens, city, engine):
    # A fresh fix of its own: the session's fixtures age past the stale limit in a long run.
    move_unit(engine, city.unit_ids["WEB-R4-1"], lon=127.025, lat=-6.002)
    name, data = _first_event(live_server, tokens["commander"])  # scoped to the test Polda
    assert name == "units" and data["full"] is True
    by_sign = {u["call_sign"]: u for u in data["units"]}
    assert set(by_sign) == {"WEB-R4-1", "WEB-R2-1", "WEB-R4-2"}
    assert by_sign["WEB-R4-1"]["lon"] == 127.025 and by_sign["WEB-R4-1"]["stale"] is False


def test_live_stream_needs_a_token(live_server):
    assert httpx.get(live_server.url + "/api/live/units", timeout=5).status_code == 401


def _position(page, call_sign: str):
    return page.evaluate("cs => window.Siaga.live && window.Siaga.live.position(cs)", call_sign)


def test_commander_map_shows_a_unit_move_without_reload(open_page, engine, city):
    visit = open_page("/commander")
    page = visit.page
    page.wait_for_function("() => window.Siaga.live && window.Siaga.live.units.size >= 3")
    page.wait_for_selector("#live-state.on")
    assert _position(page, "WEB-R4-1") == [127.025, -6.002]
    page.evaluate("() => { window.__sameDocument = true; }")
    visit.screenshot("commander-before-move")

    move_unit(engine, city.unit_ids["WEB-R4-1"], lon=127.035, lat=-6.008)
    page.wait_for_function(
        "() => { const p = window.Siaga.live.position('WEB-R4-1'); return p && p[0] === 127.035; }",
        timeout=15000,
    )
    assert page.evaluate("() => window.__sameDocument") is True  # no reload happened
    assert _position(page, "WEB-R4-1") == [127.035, -6.008]
    visit.screenshot("commander-after-move")

    page.select_option("#f-kind", "R2")
    page.wait_for_function("() => document.getElementById('sum-units').textContent === '1'")
    page.select_option("#f-kind", "")
    page.select_option("#f-status", "off_duty")
    page.wait_for_function("() => document.getElementById('sum-units').textContent === '1'")
    page.select_option("#f-status", "")
    page.select_option("#f-polsek", str(city.polsek_ids[1]))
    page.wait_for_function("() => document.getElementById('sum-units').textContent === '2'")
    visit.assert_clean()


def test_commander_colours_a_polsek_whose_incident_is_past_target(
    open_page, live_server, tokens, city
):
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    received = (datetime.now(UTC) - timedelta(minutes=15)).isoformat()  # target is 10 min
    # The call rang 15 minutes ago: the telephony hook's record is what allows that T0.
    ring = {"caller_phone": "081255554444", "line": "110-1", "rang_at": received}
    call = httpx.post(live_server.url + "/api/calls", json=ring, headers=headers, timeout=10)
    assert call.status_code == 201, call.text
    body = {
        "caller_name": "Dedi",
        "caller_phone": "081255554444",
        "category": "penganiayaan",
        "lon": 127.07,
        "lat": -5.99,
        "call_id": call.json()["id"],
    }
    created = httpx.post(live_server.url + "/api/incidents", json=body, headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]

    visit = open_page("/commander")
    page = visit.page
    page.wait_for_selector(f"#incident-list li[data-incident='{incident_id}'].late")
    assert "lewat" in page.inner_text(f"#incident-list li[data-incident='{incident_id}']")
    east = city.polsek_ids[1]
    fill = page.evaluate(
        """id => { let c = null; window.Siaga.commander.jurLayer.eachLayer(l => {
             if (l.feature.properties.id === id) c = l.options.fillColor; }); return c; }""",
        east,
    )
    assert fill == "#c62828"
    assert int(page.inner_text("#sum-overdue")) >= 1
    visit.screenshot("commander-incident-late")
    visit.assert_clean()


def test_commander_clock_stops_at_arrival(open_page, city, engine):
    from sqlalchemy import text

    from tests.webmap.factories import insert_incident

    received = datetime.now(UTC) - timedelta(minutes=12)  # arrived after 31 s, 12 minutes ago
    with engine.begin() as conn:
        incident_id = insert_incident(
            conn, city, polsek=1, lon=127.07, lat=-5.99, received_at=received, response_s=31
        )
    try:
        visit = open_page("/commander")
        page = visit.page
        selector = f"#incident-list li[data-incident='{incident_id}'] .clock-text"
        page.wait_for_function("s => (document.querySelector(s) || {}).textContent", arg=selector)
        first = page.inner_text(selector)
        assert "lewat" not in first and "tiba" in first, first
        page.wait_for_timeout(1500)  # the page ticks every second: the text must not move
        assert page.inner_text(selector) == first
        visit.assert_clean()
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM incidents WHERE id = :id"), {"id": incident_id})


def test_commander_coverage_layer_lists_each_polsek(open_page, city):
    visit = open_page("/commander")
    page = visit.page
    page.wait_for_function("() => document.getElementById('f-polres').options.length > 1")
    page.check("#coverage-toggle")
    page.wait_for_selector("#coverage li")
    items = page.inner_text("#coverage")
    # The synthetic city lies outside the road extract: each Polsek says so instead of a share.
    assert "tidak ada data jalan" in items or "tidak terjangkau" in items
    assert len(page.query_selector_all("#coverage li")) >= 2
    visit.screenshot("commander-coverage")
    visit.assert_clean()


def test_commander_says_koneksi_terputus_and_keeps_the_last_data(open_page, city, engine):
    from sqlalchemy import text

    from tests.webmap.factories import insert_incident

    received = datetime.now(UTC) - timedelta(minutes=2)
    with engine.begin() as conn:
        incident_id = insert_incident(
            conn, city, polsek=1, lon=127.07, lat=-5.99, received_at=received
        )
    try:
        page = open_page("/commander").page
        row = f"#incident-list li[data-incident='{incident_id}']"
        page.wait_for_selector(row)
        page.route("**/api/**", lambda route: route.abort())  # the network drops
        page.wait_for_selector("#connection-banner:not([hidden])", timeout=20000)
        assert "Koneksi terputus" in page.inner_text("#connection-banner")
        assert page.evaluate("document.body.classList.contains('offline')")
        assert page.query_selector(row) is not None  # the last data stays, greyed
        page.unroute("**/api/**")
        page.wait_for_selector("#connection-banner", state="hidden", timeout=20000)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM incidents WHERE id = :id"), {"id": incident_id})
