"""Documents render to PDF with the unit's letterhead and signer; pages saved as images; a
reprint is the same document; a correction is a new number citing the old one."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from core.pdf import pdf_page_count, pdf_pages_to_png
from spkt.documents import (
    correct_document,
    issue_lost_item_letter,
    issue_visum_request,
    list_documents,
)
from spkt.render import document_pdf
from spkt.reports import receive_report
from spkt.schemas import CorrectionCreate, Signer, VisumCreate
from tests.spkt.factories import desk, report_data, signer

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "spkt"


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_bounded() for page in document)


def _pages(pdf: bytes, stem: str) -> list[Path]:
    images = pdf_pages_to_png(pdf, ARTIFACTS, stem, scale=1.0)
    assert len(images) == pdf_page_count(pdf) and all(p.stat().st_size > 5000 for p in images)
    return images


def test_the_lost_item_letter_renders_free_of_charge_with_its_own_number(
    db_session: Session,
    tree,  # noqa: ANN001
) -> None:
    officer = desk(db_session, tree.polsek)
    report = receive_report(db_session, data=report_data("kehilangan"), actor=officer)
    letter = issue_lost_item_letter(
        db_session, report=report, signer=Signer(**signer()), actor=officer
    )
    assert letter.number.startswith("SKTLK/1/") and report.status == "selesai"
    pdf = document_pdf(letter)
    _pages(pdf, "surat-kehilangan")
    words = " ".join(_text(pdf).split())
    for expected in (
        letter.number,
        "TIDAK DIPUNGUT BIAYA",
        "KTP",
        "SIM",
        "Rudi Hartono",
        "KEPOLISIAN NEGARA REPUBLIK INDONESIA",
        tree.polsek.name.upper(),
    ):
        assert expected in words, expected
    assert document_pdf(letter) == pdf or _text(document_pdf(letter)) == _text(pdf)
    with pytest.raises(Conflict):
        issue_lost_item_letter(db_session, report=report, signer=Signer(**signer()), actor=officer)


def test_the_visum_request_renders_for_a_victim_of_violence(db_session: Session, tree) -> None:  # noqa: ANN001
    officer = desk(db_session, tree.polres)
    data = report_data(category="penganiayaan", what="Korban dipukul dengan kayu di kepala")
    report = receive_report(db_session, data=data, actor=officer)
    body = VisumCreate(
        signer=Signer(**signer()),
        hospital="RSUD Beriman Balikpapan",
        victim_name="Siti Rahmawati",
        injuries="Luka robek di pelipis kiri, memar di lengan kanan",
    )
    letter = issue_visum_request(db_session, report=report, data=body, actor=officer)
    assert letter.number.startswith("B/1/VER/") and report.status == "diterima"
    pdf = document_pdf(letter)
    _pages(pdf, "permintaan-visum")
    words = " ".join(_text(pdf).split())
    assert letter.number in words and "RSUD Beriman Balikpapan" in words
    assert "Visum et Repertum" in words and "Pasal 133" in words
    receipt = list_documents(db_session, report_id=report.id)[0]
    _pages(document_pdf(receipt), "tanda-terima-laporan")


def test_a_correction_is_a_new_document_citing_the_old_one(db_session: Session, tree) -> None:  # noqa: ANN001
    officer = desk(db_session, tree.polres)
    report = receive_report(db_session, data=report_data("kehilangan"), actor=officer)
    old = issue_lost_item_letter(
        db_session, report=report, signer=Signer(**signer()), actor=officer
    )
    body = CorrectionCreate(
        signer=Signer(**signer()),
        reason="Salah tulis alamat",
        changes={"place": "Terminal Batu Ampar"},
    )
    new = correct_document(db_session, document=old, data=body, actor=officer)
    assert new.number.startswith("SKTLK/2/") and new.corrects_id == old.id
    assert old.content["fields"]["place"] != "Terminal Batu Ampar"
    words = " ".join(_text(document_pdf(new)).split())
    assert "Terminal Batu Ampar" in words and f"Pembetulan atas dokumen Nomor {old.number}" in words
    with pytest.raises(Conflict):
        correct_document(db_session, document=old, data=body, actor=officer)
    bad = CorrectionCreate(signer=Signer(**signer()), reason="x y z", changes={"nomor": "1"})
    with pytest.raises(InvalidInput):
        correct_document(db_session, document=new, data=bad, actor=officer)


def test_the_lp_and_its_sttlp_render_with_the_lp_number(db_session: Session, tree) -> None:  # noqa: ANN001
    from spkt.laporan_polisi import issue_laporan_polisi
    from spkt.schemas import LaporanPolisiCreate
    from tests.spkt.factories import reporter

    officer = desk(db_session, tree.polres)
    member = reporter(kind="polri", nrp="88020123", name="Bripka Joko Susilo")
    report = receive_report(db_session, data=report_data(reporter=member), actor=officer)
    body = LaporanPolisiCreate(model="A", signer=Signer(**signer()))
    lp, sttlp = issue_laporan_polisi(db_session, report=report, data=body, actor=officer)
    db_session.expire_all()  # render what the database holds
    cases = [
        (lp, "LAPORAN POLISI", "laporan-polisi-a"),
        (sttlp, "SURAT TANDA TERIMA LAPORAN POLISI", "sttlp"),
    ]
    for document, title, stem in cases:
        pdf = document_pdf(db_session.get(type(document), document.id))
        _pages(pdf, stem)
        words = " ".join(_text(pdf).split())
        assert title in words and lp.number in words, stem
    assert "Model A" in " ".join(_text(document_pdf(lp)).split())
