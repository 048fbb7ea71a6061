"""The trackers admin page in headless Chromium: a Polres operator sets, rotates and clears a
unit's OwnTracks key; the key goes to the API once and never comes back (not in an answer,
not on the page after saving)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from core.db import make_session_factory, session_scope
from tracking.service import create_unit
from tracking.trackers import owntracks_device, owntracks_keys


@pytest.fixture
def polres_unit(engine, city) -> Iterator[tuple[int, str]]:
    """A committed unit of the test Polres (no fix, no tracker yet); removed afterwards."""
    with session_scope(make_session_factory(engine)) as session:
        unit = create_unit(session, call_sign=f"WEB-OT-{uuid.uuid4().hex[:6]}", kind="R2",
                           home_jurisdiction_id=city.polres_id)  # fmt: skip
        unit_id, call_sign = unit.id, unit.call_sign
    yield unit_id, call_sign
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM units WHERE id = :u"), {"u": unit_id})


def stored_key(engine, unit_id: int) -> str | None:
    with session_scope(make_session_factory(engine)) as session:
        return owntracks_keys(session, [unit_id]).get(unit_id)


def stored_device(engine, unit_id: int) -> str | None:
    with session_scope(make_session_factory(engine)) as session:
        return owntracks_device(session, unit_id=unit_id)


def test_an_operator_sets_rotates_and_clears_a_unit_s_owntracks_key(open_page, polres_unit, engine):
    unit_id, call_sign = polres_unit
    visit = open_page("/trackers", role="polres_operator")
    visit.allow(422, f"/api/units/{unit_id}/owntracks-")  # the refused key and device
    answers: list[str] = []
    visit.page.on(
        "response",
        lambda r: answers.append(r.text()) if "/owntracks-key" in r.url else None,
    )
    page = visit.page
    page.click(f'#units tr[data-id="{unit_id}"]')
    page.wait_for_selector('#key-state[data-key-set="0"]')
    assert "Belum ada kunci" in page.inner_text("#key-state")
    # A generated key: 120 random bits, typed into the app as shown.
    page.click("#key-generate")
    generated = page.input_value("#key-input")
    assert len(generated) == 29 and generated.count("-") == 5
    page.click("#key-save")
    page.wait_for_selector('#key-state[data-key-set="1"]')
    assert stored_key(engine, unit_id) == generated
    assert page.input_value("#key-input") == ""
    assert "oleh user:web.polres" in page.inner_text("#key-state")
    assert page.inner_text("#key-save") == "Ganti kunci"
    # Rotation: the crew's phone got a new key typed by hand.
    page.fill("#key-input", "kunci-baru-HP-pengganti")
    page.click("#key-save")
    page.wait_for_function("() => document.querySelector('#key-input').value === ''")
    assert stored_key(engine, unit_id) == "kunci-baru-HP-pengganti"
    # A key the apps cannot use (34 bytes) is refused with the reason, and nothing changes.
    page.fill("#key-input", "é" * 17)
    page.click("#key-save")
    page.wait_for_selector("#key-error:not(:empty)")
    assert "32 byte" in page.inner_text("#key-error")
    assert stored_key(engine, unit_id) == "kunci-baru-HP-pengganti"
    # Clearing asks first.
    assert not page.is_visible("#key-clear-confirm")
    page.click("#key-clear")
    page.click("#key-clear-yes")
    page.wait_for_selector('#key-state[data-key-set="0"]')
    assert stored_key(engine, unit_id) is None
    assert not page.is_visible("#key-clear-confirm") and not page.is_visible("#key-clear")
    # The app's Device ID, where a new job's notice goes; a dot is refused (a topic level).
    page.fill("#device-input", "hp.andi")
    page.click("#device-save")
    page.wait_for_selector("#device-error:not(:empty)")
    assert "huruf, angka" in page.inner_text("#device-error")
    page.fill("#device-input", "hp-andi")
    page.click("#device-save")
    page.wait_for_selector('#device-state[data-device="hp-andi"]')
    assert stored_device(engine, unit_id) == "hp-andi"
    row = page.inner_text(f'#units tr[data-id="{unit_id}"]')
    assert call_sign in row and "OwnTracks" in row  # the unit now runs the OwnTracks app
    body = page.inner_text("body")
    for key in (generated, "kunci-baru-HP-pengganti"):
        assert key not in body
        assert not any(key in answer for answer in answers)
    visit.screenshot("trackers_owntracks_key")
    visit.assert_clean()
