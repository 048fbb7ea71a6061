"""PDFs render from HTML with local fonts only, and their pages turn into images."""

from __future__ import annotations

from pathlib import Path

from core.pdf import pdf_page_count, pdf_pages_to_png, render_pdf

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "pdf"


def test_html_renders_to_a_pdf_whose_pages_become_images() -> None:
    html = "<h1>Laporan Harian</h1>" + "<p>Baris laporan.</p>" * 120
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    pages = pdf_page_count(pdf)
    assert pages >= 2
    images = pdf_pages_to_png(pdf, ARTIFACTS, "core-pdf", scale=0.5)
    assert len(images) == pages and all(p.stat().st_size > 1000 for p in images)


def test_remote_resources_are_never_fetched() -> None:
    html = '<img src="http://example.invalid/logo.png"><p>Kop surat</p>'
    # WeasyPrint logs and skips a resource its fetcher refuses; the document still renders.
    assert pdf_page_count(render_pdf(html)) == 1
