"""Operator console: place, intake, resolve, recommend and assign through the page."""

from __future__ import annotations

from sqlalchemy import text

from tests.webmap.factories import move_unit


def test_operator_creates_and_assigns_an_incident(open_page, engine, city):
    for call_sign, (lon, lat) in {
        "WEB-R4-1": (127.025, -6.002),
        "WEB-R2-1": (127.055, -6.01),
    }.items():
        move_unit(engine, city.unit_ids[call_sign], lon=lon, lat=lat)  # fresh fixes
    visit = open_page("/operator", role="operator")
    page = visit.page
    page.wait_for_selector("path.leaflet-interactive")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    page.wait_for_function(
        "() => document.getElementById('chain-polsek').textContent.includes('Polsek Barat')"
    )
    page.fill("#lat", "-6.0040")
    page.fill("#lon", "127.0300")
    page.click("#coord-go")
    page.wait_for_function("() => document.getElementById('lon').value === '127.030000'")
    page.wait_for_function(
        "() => document.getElementById('chain-polres').textContent.includes('Polres Uji')"
    )
    assert "10:00" in page.inner_text("#chain-target")  # 600 s inherited from the Polres
    page.fill("#caller-name", "Budi Santoso")
    page.fill("#caller-phone", "081234567890")
    page.select_option("#category", "pencurian")
    page.fill("#description", "Motor dicuri di depan warung")
    page.click("#create-incident")
    page.wait_for_selector("#incident-box:not([hidden])")
    incident_id = int(page.inner_text("#incident-id").lstrip("#"))
    row = f"#recommendations tr[data-unit='{city.unit_ids['WEB-R4-1']}']"
    page.wait_for_selector(row)
    assert page.inner_text("#clock-response") not in ("", "–")
    visit.screenshot("operator-recommendations")

    page.click(f"{row} button.assign")
    page.wait_for_function(
        "() => document.getElementById('assigned').textContent.includes('WEB-R4-1')"
    )
    with engine.connect() as conn:
        assigned = conn.execute(
            text("SELECT unit_id FROM assignments WHERE incident_id = :i AND released_at IS NULL"),
            {"i": incident_id},
        ).scalars()
        assert list(assigned) == [city.unit_ids["WEB-R4-1"]]
    visit.screenshot("operator-assigned")

    page.click("#new-report")  # the same caller rings again: the console shows the history
    page.wait_for_selector("#incident-box", state="hidden")
    page.fill("#caller-phone", "081234567890")
    page.press("#caller-phone", "Tab")
    page.wait_for_selector("#caller-history:not([hidden])")
    assert "Riwayat nomor ini: 1 laporan" in page.inner_text("#caller-history")
    visit.assert_clean()


def test_validation_starts_the_polres_escalation_clock_and_the_polres_accepts(open_page, city):
    visit = open_page("/operator", role="operator")
    page = visit.page
    page.wait_for_selector("path.leaflet-interactive")
    page.fill("#lat", "-6.0100")
    page.fill("#lon", "127.0600")
    page.click("#coord-go")
    page.wait_for_function(
        "() => document.getElementById('chain-polsek').textContent.includes('Polsek Timur')"
    )
    page.fill("#caller-name", "Ani")
    page.fill("#caller-phone", "081311112222")
    page.select_option("#category", "kebakaran")
    page.click("#create-incident")
    page.wait_for_selector("#incident-actions button[data-action='validate']")
    incident_id = int(page.inner_text("#incident-id").lstrip("#"))
    page.click("#incident-actions button:has-text('Valid')")
    page.wait_for_function(
        "() => /^\\d+:\\d\\d$/.test(document.getElementById('clock-escalation').textContent)"
    )
    assert "Polres harus menerima" in page.inner_text("#clock-escalation-note")
    visit.screenshot("operator-escalation-clock")
    assert not page.locator("#incident-actions button[data-action='accept']").count()
    visit.assert_clean()

    # The Polres operator finds it on the board and takes it.
    polres = open_page("/operator", role="polres_operator")
    item = f"#board tr[data-incident='{incident_id}']"
    polres.page.click(item)
    polres.page.click("#incident-actions button[data-action='accept']")
    polres.page.wait_for_function(
        "() => document.getElementById('incident-status').textContent.includes('Diterima Polres')"
    )
    polres.screenshot("operator-polres-accepted")
    polres.assert_clean()
