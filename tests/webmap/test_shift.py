"""A whole shift through the pages alone: four calls taken by keyboard on the operator
console, one merged as a duplicate, one taken back by the Polda (alert with sound attempted),
one reassigned, one unit cancelled with a reason, a prank closed at once, the crews finishing on
their phones, call-backs recorded and every incident closed. Screenshots for each step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.webmap.factories import (
    INSERT_JURISDICTION,
    INSERT_UNIT,
    UPSERT_POSITION,
    issue_test_token,
)

# Its own Polda a little east of the shared test city, so no other test's incidents show up.
WEST, EAST, SOUTH, NORTH = 127.10, 127.18, -6.025, -5.985
MID = (WEST + EAST) / 2
PHONE = (390, 844)


def _box(west: float, east: float) -> str:
    return (
        f"POLYGON(({west} {SOUTH}, {east} {SOUTH}, {east} {NORTH}, {west} {NORTH}, {west} {SOUTH}))"
    )


@dataclass
class Shift:
    polda_id: int
    polres_id: int
    polsek_ids: list[int]
    unit_ids: dict[str, int]
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def shift(engine, settings, city) -> Shift:  # noqa: ARG001  (city: the seeded base data)
    tag = uuid.uuid4().hex[:4].upper()
    with engine.begin() as conn:

        def add(code: str, name: str, level: str, parent, wkt: str, **kw) -> int:  # noqa: ANN001
            params = {"code": code, "name": name, "level": level, "parent_id": parent}
            params |= {"wkt": wkt, "target": None, "tz": None} | kw
            return conn.execute(INSERT_JURISDICTION, params).scalar_one()

        polda = add(
            f"SH{tag}", "Polda Piket (SINTETIS)", "polda", None, _box(WEST, EAST), tz="WITA"
        )
        polres = add(f"SH{tag}.1", "Polres Piket (SINTETIS)", "polres", polda,
                     _box(WEST, EAST), target=600)  # fmt: skip
        polsek = [
            add(f"SH{tag}.1.1", "Polsek Kota (SINTETIS)", "polsek", polres, _box(WEST, MID)),
            add(f"SH{tag}.1.2", "Polsek Pantai (SINTETIS)", "polsek", polres, _box(MID, EAST)),
        ]
        units = {}
        for call_sign, home, lon, lat in (
            (f"SH{tag}-R4-1", polsek[0], 127.125, -6.002),
            (f"SH{tag}-R2-1", polsek[0], 127.128, -6.006),
            (f"SH{tag}-R4-2", polsek[1], 127.160, -6.004),
        ):
            params = {"call_sign": call_sign, "kind": call_sign.split("-")[1], "home": home}
            unit_id = conn.execute(INSERT_UNIT, params | {"status": "available"}).scalar_one()
            conn.execute(UPSERT_POSITION, {"unit_id": unit_id, "lon": lon, "lat": lat})
            units[call_sign] = unit_id
    tokens = {
        "shift_operator": issue_test_token(engine, settings, username=f"shift.op.{tag}",
                                     role="polda_operator", jurisdiction_id=polda),
        "shift_polres": issue_test_token(engine, settings, username=f"shift.polres.{tag}",
                                   role="polres_operator", jurisdiction_id=polres),
    }  # fmt: skip
    for call_sign, unit_id in units.items():
        tokens[call_sign] = issue_test_token(
            engine, settings, username=f"shift.{call_sign}", role="unit", unit_id=unit_id
        )
    return Shift(polda, polres, polsek, units, tokens)


@pytest.fixture
def shift_page(open_page, tokens, shift):
    """open_page with the shift's own tokens (the shared `tokens` dict gets them for a while)."""
    added = {k: v for k, v in shift.tokens.items() if k not in tokens}
    tokens.update(added)
    yield open_page
    for key in added:
        tokens.pop(key, None)


class Console:
    """The operator console driven like an operator: keyboard for the intake."""

    def __init__(self, visit) -> None:  # noqa: ANN001
        self.visit, self.page = visit, visit.page
        self.step = 0

    def shot(self, name: str) -> None:
        self.step += 1
        self.visit.screenshot(f"shift-{self.step:02d}-{name}")

    def intake(
        self, *, phone: str, name: str, category: str, prio: str, lat="", lon="", search=""
    ) -> int:
        page = self.page
        page.keyboard.press("Alt+N")
        page.wait_for_function("() => document.activeElement.id === 'caller-phone'")
        page.keyboard.type(phone)
        page.keyboard.press("Tab")
        page.keyboard.type(name)
        page.keyboard.press("Alt+L")  # the place search box
        page.wait_for_function("() => document.activeElement.id === 'place-q'")
        if search:
            page.keyboard.type(search)
            page.wait_for_selector("#place-results [role=option][aria-selected=true]")
            page.keyboard.press("Enter")
        else:  # or the coordinate fields after it
            while page.evaluate("document.activeElement.id") != "lat":
                page.keyboard.press("Tab")
            page.keyboard.type(lat)
            page.keyboard.press("Tab")
            page.keyboard.type(lon)
            page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.id === 'category'")
        page.wait_for_function(
            "() => /Polsek/.test(document.getElementById('chain-polsek').textContent)"
        )
        page.keyboard.type(category)
        page.keyboard.press("Tab")
        page.keyboard.type(prio)
        page.keyboard.press("Control+Enter")
        page.wait_for_selector("#incident-box:not([hidden])")
        page.wait_for_function(f"() => document.getElementById('caller-phone').value === '{phone}'")
        return int(page.inner_text("#incident-id").lstrip("#"))

    def wait_status(self, label: str) -> None:
        self.page.wait_for_function(
            "(l) => document.getElementById('incident-status').textContent.startsWith(l)", arg=label
        )

    def open(self, incident_id: int) -> None:
        page = self.page
        page.keyboard.press("Alt+C")
        page.keyboard.type(f"#{incident_id}")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(id) => document.getElementById('incident-id').textContent === '#' + id",
            arg=incident_id,
        )

    def assign_best(self) -> str:
        page = self.page
        page.wait_for_selector("#recommendations tr.rec button.assign")
        best = page.inner_text("#recommendations tr.rec >> nth=0 >> td >> nth=1")
        before = page.locator("#assigned li.active").count()
        page.keyboard.press("Alt+1")
        page.wait_for_function(
            "(n) => document.querySelectorAll('#assigned li.active').length > n", arg=before
        )
        return best

    def close(self, *, callback: str, disposition: str) -> None:
        page = self.page
        page.wait_for_selector("#close-form:not([hidden])")
        page.select_option("#callback-outcome", callback)
        page.fill("#callback-note", "pelapor berterima kasih")
        page.click("#callback-go")
        page.wait_for_function(
            "() => /Telepon balik ke pelapor/"
            ".test(document.getElementById('incident-log').textContent)"
        )
        page.select_option("#close-disposition", disposition)
        page.click("#close-go")
        self.wait_status("Ditutup")


def _crew_finishes(shift_page, call_sign: str, result: str) -> None:
    visit = shift_page("/unit", role=call_sign, viewport=PHONE)
    visit.allow(403, "/api/map/jurisdictions")  # a unit gets no desk map layer
    page = visit.page
    page.wait_for_selector("#ring:not([hidden])")  # rings until taken
    page.click("#ring-ack")
    for button in ("#btn-enroute", "#btn-arrived", "#btn-clear"):
        page.wait_for_function(f"() => !document.querySelector('{button}').disabled")
        page.click(button)
    page.fill("#clear-result", result)
    visit.screenshot(f"shift-crew-{call_sign}")
    page.click("#clear-confirm")
    page.wait_for_selector("#no-job:not([hidden])")
    visit.assert_clean()


def _escalate_now(engine, incident_id: int) -> None:
    """The dispatch worker's tick after the Polres let the offer run out."""
    from dispatch.escalation import escalate_overdue

    with Session(engine) as session:
        session.execute(
            text(
                "UPDATE incidents SET accept_deadline = now() - interval '1 second' WHERE id = :i"
            ),
            {"i": incident_id},
        )
        assert incident_id in escalate_overdue(session)
        session.commit()


def test_a_whole_shift_through_the_pages(shift_page, shift, engine):
    visit = shift_page("/operator", role="shift_operator")
    page = visit.page
    console = Console(visit)
    page.wait_for_selector("path.leaflet-interactive")
    page.wait_for_function("() => Siaga.operator.me")
    console.shot("start")

    # Call 1: a theft, keyboard from phone number to "Tugaskan".
    first = console.intake(phone="081211112222", name="Budi", lat="-6,0040", lon="127,1300",
                           category="Pencurian", prio="1")  # fmt: skip
    console.shot("call1-recommendations")
    first_unit = console.assign_best()
    console.wait_status("Unit ditugaskan")
    console.shot("call1-assigned")

    # Call 2: a neighbour reports the same theft; merged into call 1.
    second = console.intake(phone="081233334444", name="Wati", lat="-6,0041", lon="127,1302",
                            category="Pencurian", prio="2")  # fmt: skip
    page.wait_for_selector(f"#duplicates button[data-merge='{first}']")
    page.click(f"#duplicates button[data-merge='{first}']")
    page.keyboard.press("Enter")  # the merge button has the focus
    console.wait_status("Ditutup")
    assert "Duplikat" in page.inner_text("#incident-status")
    assert page.is_hidden("#recommend-box")
    console.shot("call2-merged")

    # Call 3: validated and offered to the Polres, which lets the offer run out.
    third = console.intake(phone="081255556666", name="Sari", search="-6,0100 127,1650",
                           category="Penganiayaan", prio="1")  # fmt: skip
    page.keyboard.press("Alt+V")
    console.wait_status("Ditawarkan ke Polres")
    _escalate_now(engine, third)
    alert = f"#alerts li[data-key='board:taken_back:{third}']"
    page.wait_for_selector(alert, timeout=10000)
    assert page.evaluate("Siaga.operator.alerts.soundAttempts") >= 1
    console.shot("call3-taken-back-alert")
    page.click(f"{alert} .alert-text")  # the alert opens the incident
    page.wait_for_function(
        "(id) => document.getElementById('incident-id').textContent === '#' + id", arg=third
    )
    console.wait_status("Dikembalikan ke Polda")
    third_unit = console.assign_best()
    page.wait_for_selector(f"#alerts li[data-key='board:taken_back:{third}']", state="detached")

    # Call 3's unit is cancelled (the reason is required and marked on the field), then replaced.
    page.click("#assigned li.active button[data-action='cancel']")
    page.click("#cancel-go")
    assert page.get_attribute("#cancel-reason", "aria-invalid") == "true"
    assert "wajib" in page.inner_text("#cancel-reason-error")
    console.shot("call3-cancel-reason-required")
    page.fill("#cancel-reason", "unit dialihkan ke kecelakaan beruntun")
    page.click("#cancel-go")
    page.wait_for_selector("#assigned li.active", state="detached")
    third_unit = console.assign_best()

    # Call 1 again (opened by number): its unit is swapped for another.
    console.open(first)
    page.click("#assigned li.active button[data-action='reassign']")
    page.wait_for_selector("#recommendations.reassigning")
    page.keyboard.type("unit pertama ban pecah")
    page.wait_for_selector("#recommendations tr.rec")
    replacement = page.inner_text("#recommendations tr.rec >> nth=0 >> td >> nth=1")
    page.keyboard.press("Alt+1")
    page.wait_for_function(
        "(cs) => document.querySelector('#assigned li.active')?.textContent.includes(cs)",
        arg=replacement,
    )
    assert replacement != first_unit
    assert "Dibatalkan" in page.inner_text("#assigned li.ended")
    console.shot("call1-reassigned")

    # Call 4: a prank, closed at once; nothing to assign on it.
    fourth = console.intake(phone="081277778888", name="Anon", lat="-6,0000", lon="127,1200",
                            category="Lainnya", prio="3")  # fmt: skip
    page.click("#incident-actions button:has-text('Iseng')")
    console.wait_status("Ditutup")
    assert page.is_hidden("#recommend-box") and not page.locator("button.assign:visible").count()
    console.shot("call4-prank-closed")

    # The crews finish on their phones, with a short result each.
    _crew_finishes(shift_page, replacement, "Pelaku diamankan, motor kembali")
    _crew_finishes(shift_page, third_unit, "Korban dibawa ke RS, saksi dicatat")

    # Back on the console: call-backs recorded, both closed with a disposition.
    for incident_id, disposition in ((first, "diamankan"), (third, "laporan_polisi")):
        page.click(f"#board tr[data-incident='{incident_id}']")
        console.wait_status("Selesai di lokasi")
        console.close(callback="tersambung", disposition=disposition)
        console.shot(f"closed-{incident_id}")
    page.wait_for_function(
        "() => document.querySelector('#board tbody').textContent"
        ".includes('Tidak ada laporan terbuka')"
    )
    console.shot("end-of-shift")

    ids = [first, second, third, fourth]
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, status, disposition FROM incidents WHERE id = ANY(:ids) ORDER BY id"),
            {"ids": ids},
        ).all()
    assert [(r.status, r.disposition) for r in rows] == [
        ("closed", "diamankan"), ("closed", "duplikat"), ("closed", "laporan_polisi"),
        ("closed", "iseng"),
    ]  # fmt: skip
    visit.assert_clean()


def test_polres_offer_alert_sounds_and_mute_is_per_user(shift_page, shift):
    """The Polres operator is alerted to an offer waiting; muted, the banner stays, no tone."""
    polda = shift_page("/operator", role="shift_operator")
    console = Console(polda)
    polda.page.wait_for_function("() => Siaga.operator.me")
    offered = console.intake(phone="081299990000", name="Tono", lat="-6,0050", lon="127,1250",
                             category="Ancaman", prio="2")  # fmt: skip
    polda.page.keyboard.press("Alt+V")
    console.wait_status("Ditawarkan ke Polres")

    polres = shift_page("/operator", role="shift_polres")
    page = polres.page
    page.wait_for_function("() => Siaga.operator.me")
    alert = f"#alerts li[data-key='board:offer_waiting:{offered}']"
    page.wait_for_selector(alert)
    assert page.evaluate("Siaga.operator.alerts.soundAttempts") >= 1
    assert page.get_attribute("#alerts", "aria-live") == "assertive"
    polres.screenshot("shift-polres-offer-alert")
    page.keyboard.press("Alt+M")
    assert page.inner_text("#mute") == "Suara: mati"
    before = page.evaluate("Siaga.operator.alerts.soundAttempts")
    page.evaluate("Siaga.operator.alerts.raise('near_target', 'x:1', 'uji')")
    assert page.evaluate("Siaga.operator.alerts.soundAttempts") == before
    polres.reload()  # remembered for this user
    page.wait_for_function("() => Siaga.operator.me")
    page.wait_for_function("() => document.getElementById('mute').textContent === 'Suara: mati'")
    page.keyboard.press("Alt+M")  # back on, for whoever sits here next with this login
    page.click(f"{alert} .alert-text")
    page.wait_for_selector("#incident-actions button[data-action='accept']")
    page.click("#incident-actions button[data-action='accept']")
    page.wait_for_selector(alert, state="detached")
    polda.assert_clean()
    polres.assert_clean()
