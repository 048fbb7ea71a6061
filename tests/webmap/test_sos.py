"""A unit's SOS on the operator console and the commander's map: the urgent banner with the
unit's last position and the most urgent tone, taken with "Terima SOS" (who and when shown
and stored). The alert is raised by the dispatch path (dispatch/alarms.py) from the unit's
stored SOS event, as the dispatch worker does; tests/api/test_tracker_sos.py runs the whole
path from the tracker through the listener, broker and workers."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from dispatch.alarms import raise_tracker_alarms

INSERT_SOS = text(
    """
    INSERT INTO unit_events (unit_id, kind, status, payload, received_at, dedup_key)
    VALUES (:u, 'status', 'sos', CAST(:payload AS jsonb), now(), :key)
    """
)


@pytest.fixture
def sos(engine: Engine) -> Iterator:
    """sos(unit_id, lon, lat): the unit's tracker sent an SOS; alerts removed afterwards."""
    units: list[int] = []

    def _raise(unit_id: int, lon: float, lat: float) -> None:
        payload = {"status": "sos", "alarm": "sos", "source": "osmand", "lon": lon, "lat": lat,
                   "fixed_at": time.time()}  # fmt: skip
        with Session(engine) as session:
            params = {"u": unit_id, "payload": json.dumps(payload), "key": uuid.uuid4().hex}
            session.execute(INSERT_SOS, params)
            raise_tracker_alarms(session, window_s=600)
            session.commit()
        units.append(unit_id)

    yield _raise
    with engine.begin() as conn:
        ids = {"u": units}
        conn.execute(text("DELETE FROM unit_alarms WHERE unit_id = ANY(:u)"), ids)
        conn.execute(
            text("DELETE FROM unit_events WHERE unit_id = ANY(:u) AND status = 'sos'"), ids
        )


def _acknowledged_by(engine: Engine, unit_id: int) -> list[tuple]:
    with engine.connect() as conn:
        query = text("SELECT acknowledged_by, acknowledged_at IS NOT NULL FROM unit_alarms "
                     "WHERE unit_id = :u")  # fmt: skip
        return [tuple(r) for r in conn.execute(query, {"u": unit_id})]


def test_operator_sees_the_sos_with_its_position_and_takes_it(open_page, engine, city, sos):
    unit_id = city.unit_ids["WEB-R4-1"]
    sos(unit_id, 127.0251, -6.0021)
    visit = open_page("/operator", role="operator")
    page = visit.page
    banner = page.locator("#alerts .alert-sos")
    banner.wait_for()
    words = banner.inner_text()
    assert "DARURAT: unit WEB-R4-1 mengirim SOS" in words
    assert "posisi terakhir -6,00210, 127,02510" in words and " WITA)" in words
    assert page.locator("#alerts .alert-sos .alert-close").is_hidden()  # taken, not dismissed
    raised = page.evaluate("() => window.Siaga.operator.alerts.raised.map((a) => a.kind)")
    assert "sos" in raised
    assert page.evaluate("() => window.Siaga.operator.alerts.soundAttempts") >= 1
    page.locator(".sos-marker").first.wait_for()  # the unit's last position on the map
    visit.screenshot("operator-sos")
    page.click("#alerts .alert-sos .sos-take")
    page.locator("#alerts .alert-sos-taken").wait_for()
    taken = page.inner_text("#alerts .alert-sos-taken .alert-text")
    assert "diterima oleh web.operator" in taken and taken.endswith("WITA")
    assert _acknowledged_by(engine, unit_id) == [("web.operator", True)]
    page.wait_for_function("() => !document.querySelector('.sos-marker')")
    visit.assert_clean()


def test_commander_map_shows_the_sos_and_who_took_it(open_page, engine, city, sos, tokens):
    unit_id = city.unit_ids["WEB-R2-1"]
    sos(unit_id, 127.055, -6.01)
    visit = open_page("/commander", role="commander")
    page = visit.page
    banner = page.locator("#alerts .alert-sos")
    banner.wait_for()
    assert "DARURAT: unit WEB-R2-1 mengirim SOS" in banner.inner_text()
    page.locator(".sos-marker").first.wait_for()
    assert page.locator("#alerts .sos-take").count() == 0  # commanders watch; operators take
    [alarm_id] = [a for a, u in _alarms(engine) if u == unit_id]
    headers = {"Authorization": f"Bearer {tokens['operator']}"}
    url = f"{visit.page.url.split('/commander')[0]}/api/alarms/{alarm_id}/acknowledge"
    assert httpx.post(url, headers=headers, timeout=10).status_code == 200
    page.locator("#alerts .alert-sos-taken").wait_for(timeout=15000)
    assert "diterima oleh web.operator" in page.inner_text("#alerts .alert-sos-taken .alert-text")
    visit.screenshot("commander-sos")
    visit.assert_clean()


def _alarms(engine: Engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, unit_id FROM unit_alarms"))]
