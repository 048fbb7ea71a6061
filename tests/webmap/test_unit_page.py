"""Unit page on a phone-sized screen: the job, the status buttons, sharing the location."""

from __future__ import annotations

import json
import queue
import threading
import uuid

import httpx
import pytest

from core.mqtt import connect, make_client
from tests.conftest import wait_until
from tests.webmap.factories import move_unit

PHONE = (390, 844)


@pytest.fixture
def r2_job(live_server, tokens, engine, city) -> dict:
    """An incident near WEB-R2-1 with WEB-R2-1 assigned, created through the dispatch API."""
    move_unit(engine, city.unit_ids["WEB-R2-1"], lon=127.055, lat=-6.01)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    body = {
        "caller_name": "Siti",
        "caller_phone": "081298765432",
        "category": "kecelakaan_lalu_lintas",
        "priority": 1,
        "description": "Tabrakan dua motor",
        "address": "Jl. Uji Timur",
        "lon": 127.062,
        "lat": -6.006,
    }
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=10) as client:
        incident = client.post("/api/incidents", json=body)
        assert incident.status_code == 201, incident.text
        incident_id = incident.json()["id"]
        valid = client.post(f"/api/incidents/{incident_id}/validate", json={"validity": "valid"})
        assert valid.status_code == 200, valid.text
        unit_ids = [city.unit_ids["WEB-R2-1"]]
        assigned = client.post(
            f"/api/incidents/{incident_id}/assignments", json={"unit_ids": unit_ids}
        )
        assert assigned.status_code == 201, assigned.text
    return {"incident_id": incident_id, "assignment_id": assigned.json()[0]["id"]}


def _wait_enabled(page, selector: str) -> None:
    page.wait_for_function(f"() => !document.querySelector('{selector}').disabled")


def test_unit_page_shows_the_job_and_reports_progress(open_page, r2_job):
    visit = open_page("/unit", role="unit2", viewport=PHONE)
    # api/policy.py gives the map layer to desk roles only; the page copes without polygons.
    visit.allow(403, "/api/map/jurisdictions")
    page = visit.page
    page.wait_for_selector("#job:not([hidden])")
    assert page.inner_text("#job-id") == f"#{r2_job['incident_id']}"
    assert "Kecelakaan lalu lintas" in page.inner_text("#job-category")
    page.wait_for_selector("path.leaflet-interactive")  # the route line to the incident
    # A new job rings (tone attempted, vibration asked) until the crew takes it.
    page.wait_for_selector("#ring:not([hidden])")
    page.wait_for_function("() => Siaga.unitPage.crew.rings >= 2", timeout=10000)
    assert page.evaluate("Siaga.unitPage.crew.vibrations") >= 1
    assert page.get_attribute("#job-call", "href") == "tel:081298765432"
    assert_tap_targets(page)
    visit.screenshot("unit-job")

    page.click("#ring-ack")  # the ringing banner's own button acknowledges
    page.wait_for_selector("#ring", state="hidden")
    for button, following in (
        ("#btn-enroute", "#btn-arrived"),
        ("#btn-arrived", "#btn-clear"),
    ):
        _wait_enabled(page, button)
        page.click(button)
        _wait_enabled(page, following)
    visit.screenshot("unit-on-scene")
    page.click("#btn-clear")  # asks first: nothing is sent without a confirmation and a result
    page.wait_for_selector("#clear-form:not([hidden])")
    page.click("#clear-confirm")
    assert "hasil singkat" in page.inner_text("#clear-result-error").lower()
    assert page.get_attribute("#clear-result", "aria-invalid") == "true"
    assert page.is_visible("#job")
    page.fill("#clear-result", "Dua motor diderek, tidak ada korban")
    assert_tap_targets(page)
    visit.screenshot("unit-clear-confirm")
    page.click("#clear-confirm")
    page.wait_for_selector("#no-job:not([hidden])")
    visit.assert_clean()


# WCAG 2.5.5 (AAA) asks 44 x 44 CSS px; Material and Android ask 48 dp. We hold 48.
MIN_TAP_PX = 48


def assert_tap_targets(page) -> None:  # noqa: ANN001
    """Every visible button and button-like link is at least MIN_TAP_PX in both directions."""
    small = page.evaluate(
        """(min) => Array.from(
              document.querySelectorAll('#panel button, #panel a.button, #ring button'))
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.id || el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, r]) => r.width < min || r.height < min)
            .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""",
        MIN_TAP_PX,
    )
    assert not small, f"tap targets under {MIN_TAP_PX} px: {small}"


def test_unit_page_shares_the_phone_location(open_page, live_server, settings, city):
    wait_until(
        lambda: httpx.get(live_server.url + "/health", timeout=5).json()["broker"]["ok"],
        message="the app's broker link",
    )
    client, target, props = make_client(settings.mqtt_dsn(), f"web-test-{uuid.uuid4().hex[:6]}")
    received: queue.Queue = queue.Queue()
    topic = f"{settings.mqtt_topic_root}/units/WEB-R4-1/location"
    subscribed = threading.Event()
    client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_message = lambda c, u, msg: received.put(json.loads(msg.payload))
    connect(client, target, props, persistent=False)
    client.loop_start()
    try:
        assert subscribed.wait(10), "test subscriber did not subscribe"
        visit = open_page(
            "/unit",
            role="unit",
            viewport=PHONE,
            permissions=["geolocation"],
            geolocation={"latitude": -6.0001, "longitude": 127.0302, "accuracy": 8},
        )
        visit.allow(403, "/api/map/jurisdictions")
        page = visit.page
        page.wait_for_selector("#unit-title:has-text('WEB-R4-1')")
        page.check("#share-location")
        try:
            page.wait_for_function(
                "() => document.getElementById('share-state').textContent.includes('dibagikan')"
            )
        finally:
            print("share-state:", page.inner_text("#share-state"))
        fix = received.get(timeout=10)
        assert fix["_type"] == "location"
        assert (fix["lat"], fix["lon"], fix["acc"]) == (-6.0001, 127.0302, 8)
        visit.screenshot("unit-sharing")
        visit.assert_clean()
    finally:
        client.loop_stop()
        client.disconnect()
