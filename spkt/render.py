"""Documents to PDF (WeasyPrint via core/pdf.py) from their frozen content: a reprint renders
the same document, since nothing it shows is read from live rows."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.pdf import render_pdf
from spkt.models import Document

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"])
)


def document_html(document: Document) -> str:
    """The HTML of an issued document."""
    content = document.content
    data = {"number": document.number, "signer": document.signer}
    template = TEMPLATES.get_template(f"{document.kind}.html")
    return template.render(c=content, f=content.get("fields", {}), d=data)


def document_pdf(document: Document) -> bytes:
    """The PDF of an issued document (A4, the unit's letterhead, the signing officer)."""
    return render_pdf(document_html(document), base_dir=TEMPLATE_DIR)
