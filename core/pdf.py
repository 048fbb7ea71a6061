"""PDF documents from HTML with WeasyPrint (reports, letters); pages to images for checks.

Fonts come from the machine (fontconfig: DejaVu and Noto from Debian), never from the network:
the URL fetcher allows only local files and data: URLs (WeasyPrint's own allowed_protocols).
"""

from __future__ import annotations

from pathlib import Path

from core.errors import SetupError


def render_pdf(html: str, *, base_dir: Path | None = None) -> bytes:
    """The PDF for an HTML document (relative links resolve under base_dir)."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: pango missing
        raise SetupError(f"WeasyPrint is not usable here ({exc}); run make setup") from exc
    base_url = base_dir.resolve().as_uri() + "/" if base_dir else None
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def pdf_page_count(pdf: bytes) -> int:
    """Number of pages of a PDF."""
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(pdf))


def pdf_pages_to_png(pdf: bytes, folder: Path, stem: str, *, scale: float = 1.5) -> list[Path]:
    """Render every page to folder/<stem>-<n>.png (for tests and previews); the paths."""
    import pypdfium2 as pdfium

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, page in enumerate(pdfium.PdfDocument(pdf), start=1):
        path = folder / f"{stem}-{number}.png"
        page.render(scale=scale).to_pil().save(path)
        paths.append(path)
    return paths
