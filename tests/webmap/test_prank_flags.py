"""Repeated pranks in Chromium: the operator sees the number's standing as it is typed, the
Perwira Piket sees the flag on the desk and records what was done about it."""

from __future__ import annotations

import uuid

import httpx

from tests.dispatch.factories import incident_body
from tests.webmap.test_piket_pages import piket_area, visit  # noqa: F401  (shared fixtures)


def _prank_twice(url: str, token: str, phone: str, lon: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        body = incident_body(caller_phone=phone, lon=lon)
        created = httpx.post(url + "/api/incidents", headers=headers, json=body)
        assert created.status_code == 201, created.text
        path = f"{url}/api/incidents/{created.json()['id']}/validate"
        httpx.post(path, headers=headers, json={"validity": "prank"}).raise_for_status()


def test_operator_sees_the_standing_perwira_reviews_the_flag(visit, live_server, piket_area):  # noqa: F811
    area, tokens = piket_area
    phone = "0857" + str(uuid.uuid4().int)[:8]
    _prank_twice(live_server.url, tokens["operator"], phone, incident_body()["lon"] + 40.0)

    console = visit("/operator", tokens["operator"])
    console.page.wait_for_selector("#caller-phone")
    console.page.fill("#caller-phone", phone)
    console.page.dispatch_event("#caller-phone", "change")
    box = console.page.wait_for_selector("#caller-history.flag")
    assert "PERHATIAN" in box.inner_text() and "skor" in box.inner_text()
    console.screenshot("prank-console")

    desk = visit("/piket", tokens["perwira"])
    row = desk.page.wait_for_selector(f"#caller-flags tr:has-text('{phone}')")
    flag_id = row.get_attribute("data-flag")
    desk.page.select_option(f"[data-outcome='{flag_id}']", "usul_blokir")
    desk.page.fill(f"[data-note='{flag_id}']", "dua kali iseng minggu ini")
    desk.page.click(f"[data-review='{flag_id}']")
    desk.page.wait_for_selector(f"#caller-flags tr[data-flag='{flag_id}']", state="detached")
    desk.screenshot("prank-perwira")
    desk.assert_clean()
    console.assert_clean()
