"""The piket pages in headless Chromium against the live app: the Perwira Piket opens a shift
and forwards a theft to Reskrim, the Reskrim desk takes it and reports back, the Direktur
reads the daily report. Nothing is fetched from another host.

The area and its people are committed (the browser talks to its own server), in a Polda of
their own far from every other test's, and removed afterwards.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.dispatch.factories import incident_body, make_area
from tests.piket.factories import remove_committed_area
from tests.webmap.conftest import PageVisit, _record
from tests.webmap.factories import issue_test_token


@pytest.fixture
def piket_area(engine, settings):  # noqa: ANN001, ANN201
    with Session(engine, expire_on_commit=False) as session:
        area = make_area(session, shift_lon=40.0)
        session.commit()
    tag = uuid.uuid4().hex[:6]
    tokens = {
        "perwira": issue_test_token(
            engine,
            settings,
            username=f"pw-{tag}",
            role="perwira_piket",
            jurisdiction_id=area.polda.id,
            full_name="Andi Wijaya",
        ),
        "operator": issue_test_token(
            engine,
            settings,
            username=f"op-{tag}",
            role="polda_operator",
            jurisdiction_id=area.polda.id,
        ),
        "reskrim": issue_test_token(
            engine,
            settings,
            username=f"rk-{tag}",
            role="desk",
            jurisdiction_id=area.polres.id,
            function_code="reskrim",
        ),
        "direktur": issue_test_token(
            engine, settings, username=f"dir-{tag}", role="direktur", jurisdiction_id=area.polda.id
        ),
    }
    yield area, tokens
    remove_committed_area(engine, area)


@pytest.fixture
def visit(browser, live_server):  # noqa: ANN001, ANN201
    contexts = []

    def _open(path: str, token: str) -> PageVisit:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        context.add_init_script(f"sessionStorage.setItem('siaga_token', {token!r});")
        page = PageVisit(page=context.new_page(), host=live_server.host)
        _record(page, context)
        page.page.goto(live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_perwira_forwards_desk_reports_back_direktur_reads(visit, live_server, piket_area) -> None:  # noqa: ANN001, E501
    import httpx

    area, tokens = piket_area
    perwira = visit("/piket", tokens["perwira"])
    page = perwira.page
    page.wait_for_selector("#shift-now:has-text('Belum ada piket')")
    page.fill("#o-members", "BRIPKA Budi\nBRIGPOL Citra")
    page.click("#o-checks-btn")
    page.click("#o-submit")
    page.wait_for_selector("#shift-now:has-text('bertugas')")

    operator = {"Authorization": f"Bearer {tokens['operator']}"}
    lon = incident_body()["lon"] + 40.0
    created = httpx.post(
        live_server.url + "/api/incidents",
        headers=operator,
        json=incident_body(lon=lon, category="pencurian"),
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    httpx.post(
        f"{live_server.url}/api/incidents/{incident_id}/validate",
        headers=operator,
        json={"validity": "valid"},
    ).raise_for_status()
    page.wait_for_load_state("networkidle")  # no fetch of the page is cut off by the reload
    page.reload()
    button = page.wait_for_selector(f"[data-forward='{incident_id}'][data-function='reskrim']")
    button.click()
    page.wait_for_selector(f"tr[data-incident='{incident_id}'] .badge:has-text('Satreskrim')")
    perwira.screenshot("piket-perwira")
    perwira.assert_clean()

    desk = visit("/fungsi", tokens["reskrim"])
    row = desk.page.wait_for_selector("[data-ack]")
    assert "SEGERA" in desk.page.inner_text("#forwards")
    row.click()
    desk.page.wait_for_selector("[data-result-text]").fill("Pelaku diamankan di TKP")
    desk.page.click("[data-result]")
    desk.page.wait_for_selector("#forwards td:has-text('Pelaku diamankan di TKP')")
    desk.screenshot("piket-fungsi")
    desk.assert_clean()

    direktur = visit("/direktur", tokens["direktur"])
    direktur.page.wait_for_selector("#d-summary dt:has-text('Panggilan')")
    # WITA piket day from 08:00 = 00:00 UTC: the period running now is that of UTC today + 1.
    running = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    direktur.page.fill("#d-date", running)
    direktur.page.click("#report-form button")
    direktur.page.wait_for_selector("#d-shifts td:has-text('Andi Wijaya')")
    assert "Andi Wijaya" in direktur.page.inner_text("#d-shifts")
    direktur.screenshot("piket-direktur")
    direktur.assert_clean()
