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
    visit.screenshot("unit-job")

    for button, following in (
        ("#btn-ack", "#btn-enroute"),
        ("#btn-enroute", "#btn-arrived"),
        ("#btn-arrived", "#btn-clear"),
    ):
        _wait_enabled(page, button)
        page.click(button)
        _wait_enabled(page, following)
    visit.screenshot("unit-on-scene")
    page.click("#btn-clear")
    page.wait_for_selector("#no-job:not([hidden])")
    visit.assert_clean()


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
