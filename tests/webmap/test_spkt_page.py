"""The SPKT desk page and the public SP2HP page in headless Chromium: a walk-in report
becomes an LP model B after Sat Reskrim's assessment; SP2HP answers only the right reporter."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.webmap.factories import issue_test_token


@pytest.fixture(scope="module")
def desk_tokens(engine, settings, city, tokens) -> dict[str, str]:  # noqa: ANN001
    tag = uuid.uuid4().hex[:6]
    tokens["spkt"] = issue_test_token(
        engine, settings, username=f"web.spkt.{tag}", role="spkt", jurisdiction_id=city.polres_id
    )
    tokens["reskrim"] = issue_test_token(
        engine,
        settings,
        username=f"web.reskrim.{tag}",
        role="desk",
        jurisdiction_id=city.polres_id,
        function_code="reskrim",
    )
    tokens["direktur"] = issue_test_token(
        engine,
        settings,
        username=f"web.direktur.{tag}",
        role="direktur",
        jurisdiction_id=city.polda_id,
    )
    return tokens


def _fill_report(page) -> None:  # noqa: ANN001
    page.select_option("#r-kind", "pidana")
    page.fill("#r-name", "Siti Rahmawati")
    page.fill("#r-nik", "6471054403900002")
    page.fill("#r-birth-place", "Balikpapan")
    page.fill("#r-birth-date", "1990-03-04")
    page.fill("#r-address", "Jl. Ahmad Yani No. 12")
    page.fill("#r-phone", "081234567890")
    page.select_option("#r-category", "pencurian")
    page.fill("#r-what", "Sepeda motor hilang dari parkiran pasar")
    page.fill("#r-occurred", "2026-12-02T10:30")
    page.fill("#r-place", "Parkiran Pasar Klandasan")
    page.click("#spkt-map", position={"x": 300, "y": 120})
    page.fill("#s-name", "Rudi Hartono")
    page.fill("#s-rank", "IPTU")
    page.fill("#s-nrp", "85061234")


def test_a_walk_in_report_becomes_an_lp_b_on_the_desk_page(open_page, desk_tokens) -> None:  # noqa: ANN001
    desk = open_page("/spkt", role="spkt")
    page = desk.page
    page.wait_for_selector("html[data-ready='1']", timeout=15000)
    _fill_report(page)
    assert "Lokasi:" in page.inner_text("#r-point")
    page.click("#r-submit")
    page.wait_for_selector("#d-number", timeout=10000)
    assert page.inner_text("#d-number").startswith("STPL/")
    assert "6471054403900002" in page.inner_text("#detail")  # the desk sees the NIK
    page.click("#a-consult")
    page.wait_for_function("document.querySelector('#d-status').textContent.includes('Konsultasi')")

    reskrim = open_page("/spkt", role="reskrim")
    rpage = reskrim.page
    rpage.wait_for_selector("html[data-ready='1']", timeout=15000)
    assert rpage.is_hidden("#new-report")
    rpage.click("#reports tbody tr[data-id]")
    rpage.wait_for_selector("#a-assess", timeout=10000)
    assert "•••" in rpage.inner_text("#detail")  # not yet an investigator of this case
    rpage.fill("#a-assess input[name=articles]", "Pasal 362 KUHP")
    rpage.click("#a-assess button[type=submit]")
    rpage.wait_for_function("document.querySelector('#d-status').textContent.includes('dinilai')")
    assert "6471054403900002" in rpage.inner_text("#detail")  # now on the case

    page.click("#reports tbody tr[data-id]")
    page.wait_for_selector("#a-lp", timeout=10000)
    page.click("#a-lp")
    page.wait_for_function("document.querySelector('#d-number').textContent.startsWith('LP/B/')")
    number = page.inner_text("#d-number")
    assert re.match(r"^LP/B/\d+/[IVX]+/\d{4}/SPKT/", number), number
    with page.expect_download() as download:
        page.click("#d-documents button.pdf >> nth=1")  # the LP itself
    assert download.value.suggested_filename == number.replace("/", "-").replace(" ", "-") + ".pdf"
    assert open(download.value.path(), "rb").read(4) == b"%PDF"
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    page.set_input_files(
        "#a-evidence input[name=file]",
        files=[{"name": "foto-tkp.png", "mimeType": "image/png", "buffer": png}],
    )
    page.click("#a-evidence button[type=submit]")
    page.wait_for_selector("#d-attachments", timeout=10000)
    assert "foto-tkp.png" in page.inner_text("#d-attachments")
    desk.screenshot("spkt-desk")
    reskrim.screenshot("spkt-reskrim")
    desk.assert_clean()
    reskrim.assert_clean()

    public = open_page("/sp2hp", role=None)
    ppage = public.page
    ppage.fill("#q-number", number)
    ppage.fill("#q-name", "Siti Rahmawati")
    ppage.fill("#q-birth", "1990-04-03")
    ppage.click("#q-submit")
    ppage.wait_for_selector("#no-match", timeout=10000)
    assert "Pasar" not in ppage.inner_text("body")
    public.allow(404, "/api/sp2hp")  # the wrong birth date, on purpose
    ppage.fill("#q-birth", "1990-03-04")
    ppage.click("#q-submit")
    ppage.wait_for_selector("#match", timeout=10000)
    assert "Laporan Polisi diterbitkan" in ppage.inner_text("#r-status")
    assert "6471054403900002" not in ppage.content()
    public.screenshot("sp2hp-public")
    public.assert_clean()


def test_the_chain_of_command_reads_aging_and_the_weekly_report(open_page, desk_tokens) -> None:  # noqa: ANN001
    visit = open_page("/spkt", role="direktur")
    page = visit.page
    page.wait_for_selector("html[data-ready='1']", timeout=15000)
    assert page.is_hidden("#new-report") and page.is_hidden("#signer-box")
    page.wait_for_selector("#aging tbody tr", timeout=10000)
    with page.expect_download() as download:
        page.click("#weekly")
    assert open(download.value.path(), "rb").read(4) == b"%PDF"
    visit.screenshot("spkt-direktur")
    visit.assert_clean()


def test_the_desk_picks_its_spkt_official_as_the_signer(
    open_page, desk_tokens, engine, city
) -> None:  # noqa: ANN001, E501
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from spkt.followup import set_official

    with Session(engine) as session:
        official = set_official(session, jurisdiction_id=city.polres_id, position="ka_siaga_2",
                                name="Wahyu Siregar", rank="IPTU", nrp="87020304")  # fmt: skip
        session.commit()
        official_id = official.id
    try:
        visit = open_page("/spkt", role="spkt")
        page = visit.page
        page.wait_for_selector("html[data-ready='1']", timeout=15000)
        page.select_option("#s-official", label="KA SIAGA II SPKT: IPTU Wahyu Siregar")
        assert page.input_value("#s-name") == "Wahyu Siregar"
        assert page.input_value("#s-nrp") == "87020304"
        assert page.input_value("#s-position") == "KA SIAGA II SPKT"
        visit.assert_clean()
    finally:
        with Session(engine) as session:
            session.execute(text("DELETE FROM jurisdiction_officials WHERE id = :id"),
                            {"id": official_id})  # fmt: skip
            session.commit()
