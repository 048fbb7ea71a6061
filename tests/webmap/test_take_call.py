"""'Terima panggilan' at the console: T0 is the moment the operator takes the call, or the
ring time of a call the telephony hook (POST /api/calls) reported, and the incident keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from tests.conftest import wait_until


def _api(live_server, token: str) -> httpx.Client:  # noqa: ANN001
    return httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def _no_waiting_calls(live_server, tokens) -> None:  # noqa: ANN001
    """The desk starts with no call ringing (one left by another test would be answered)."""
    with _api(live_server, tokens["polres_operator"]) as desk:
        for call in desk.get("/api/calls", params={"status": "waiting"}).json():
            desk.post(f"/api/calls/{call['id']}/answer").raise_for_status()


def _intake(page, *, name: str) -> int:  # noqa: ANN001
    """Fill the rest of the form and save it; the new incident's id."""
    page.fill("#caller-name", name)
    page.fill("#lat", "-6.0040")
    page.fill("#lon", "127.0300")
    page.click("#coord-go")
    page.wait_for_function(
        "() => document.getElementById('chain-polres').textContent.includes('Polres Uji')"
    )
    page.select_option("#category", "pencurian")
    page.click("#create-incident")
    page.wait_for_selector("#incident-box:not([hidden])")
    return int(page.inner_text("#incident-id").lstrip("#"))


ZONE_OFFSET_H = {"WIB": 7, "WITA": 8, "WIT": 9}


def _local(moment: datetime, page) -> str:  # noqa: ANN001
    """`moment` as the page shows it, in the zone the page names (the city's, or the default)."""
    zone = next(z for z in ("WITA", "WIB", "WIT") if z in page.inner_text("#call-status"))
    return (moment + timedelta(hours=ZONE_OFFSET_H[zone])).strftime("%H:%M:%S")


def _shown_time(page) -> str:  # noqa: ANN001
    """The call status line, time separators as ':' (the page may write 21.05.55)."""
    return page.inner_text("#call-status").replace(".", ":")


def _incident_t0(engine, incident_id: int) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT i.call_received_at, i.t0_source, i.caller_phone, c.rang_at, "
                "c.source, c.status, c.answered_at FROM incidents i "
                "JOIN calls c ON c.id = i.call_id WHERE i.id = :id"
            ),
            {"id": incident_id},
        ).one()
    return row._asdict()


def test_taking_a_call_at_the_console_makes_that_moment_t0(
    open_page, live_server, tokens, engine
) -> None:  # noqa: ANN001
    _no_waiting_calls(live_server, tokens)
    visit = open_page("/operator", role="polres_operator")
    page = visit.page
    page.wait_for_selector("path.leaflet-interactive")
    assert page.inner_text("#call-status") == "Belum ada panggilan diterima"
    before = datetime.now(UTC)
    page.keyboard.press("Alt+P")
    page.wait_for_function(
        "() => document.getElementById('call-status').textContent.startsWith('Panggilan diterima')"
    )
    after = datetime.now(UTC)
    # The form is open for the call: the phone field has the focus, the button is spent.
    assert page.evaluate("document.activeElement.id") == "caller-phone"
    assert page.is_disabled("#take-call")
    assert "(dering)" not in page.inner_text("#call-status")
    page.keyboard.type("081277001122")
    visit.screenshot("take-call-console")
    incident_id = _intake(page, name="Rahmat")
    t0 = _incident_t0(engine, incident_id)
    assert t0["source"] == "console" and t0["status"] == "answered"
    assert before - timedelta(seconds=1) <= t0["rang_at"] <= after + timedelta(seconds=1)
    # T0 is the pickup, not the later save of the form.
    assert t0["call_received_at"] == t0["rang_at"] == t0["answered_at"]
    assert t0["t0_source"] == "console"
    assert _local(t0["rang_at"], page) in _shown_time(page)
    visit.assert_clean()


def test_a_ringing_telephony_call_waits_then_pickup_fills_the_number_and_t0_is_the_ring(
    open_page, live_server, tokens, engine, settings
) -> None:  # noqa: ANN001
    from tests.webmap.factories import issue_test_token

    _no_waiting_calls(live_server, tokens)
    visit = open_page("/operator", role="polres_operator")
    page = visit.page
    page.wait_for_selector("path.leaflet-interactive")
    with engine.connect() as conn:
        polres_id = conn.execute(
            text("SELECT jurisdiction_id FROM users WHERE username = 'web.polres'")
        ).scalar_one()
    pabx = issue_test_token(
        engine,
        settings,
        username=f"web.pabx.{datetime.now(UTC):%H%M%S%f}",
        role="telephony",
        jurisdiction_id=polres_id,
    )
    # Queued at the PABX for 40 s before the hook reported it: T0 is the ring, not the report.
    rang_at = (datetime.now(UTC) - timedelta(seconds=40)).replace(microsecond=0)
    with _api(live_server, pabx) as hook:
        rung = hook.post(
            "/api/calls",
            json={
                "caller_phone": "0812 7700 3344",
                "line": "110-2",
                "rang_at": rang_at.isoformat(),
            },
        )
    assert rung.status_code == 201, rung.text
    # The console shows it waiting (it polls), without anyone pressing anything.
    page.wait_for_function(
        "() => document.getElementById('calls-waiting').textContent === '1 panggilan menunggu'",
        timeout=15000,
    )
    visit.screenshot("take-call-waiting")
    page.keyboard.press("Alt+P")
    page.wait_for_function("() => document.getElementById('caller-phone').value !== ''")
    assert page.input_value("#caller-phone") == rung.json()["caller_phone"]
    assert "(dering)" in page.inner_text("#call-status")
    assert _local(rang_at, page) in _shown_time(page)
    incident_id = _intake(page, name="Siti")
    t0 = _incident_t0(engine, incident_id)
    assert t0["source"] == "telephony" and t0["status"] == "answered"
    assert t0["call_received_at"] == t0["rang_at"] == rang_at
    assert t0["t0_source"] == "telephony"
    assert t0["caller_phone"] == rung.json()["caller_phone"]
    wait_until(
        lambda: page.inner_text("#calls-waiting") == "", timeout_s=15, message="queue emptied"
    )
    visit.assert_clean()
