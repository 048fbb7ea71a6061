"""The daily report as a printable document: HTML (Jinja) with SVG bar charts, PDF by WeasyPrint."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from core.pdf import render_pdf
from dispatch.taxonomy import CATEGORIES, CHANNELS, VALIDITY_LABELS
from piket.clock import local
from piket.functions import function_label

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
BAR_COLOR = "#1f4e79"
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def bar_chart(rows: list[tuple[str, float]], *, width: int = 640, unit: str = "") -> Markup:
    """A horizontal bar chart as inline SVG (labels left, values right of each bar)."""
    if not rows:
        return Markup('<p class="empty">Tidak ada data.</p>')
    label_w, value_w, bar_h, gap = 280, 60, 16, 6
    top = max(value for _, value in rows) or 1
    span = width - label_w - value_w
    height = len(rows) * (bar_h + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart">'
    ]
    for index, (label, value) in enumerate(rows):
        y = index * (bar_h + gap)
        length = max(1.0, span * value / top)
        text = Markup.escape(label if len(label) <= 42 else label[:41] + "…")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{text}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" '
            f'fill="{BAR_COLOR}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + 12}">{_number(value)}{unit}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if float(value).is_integer() else f"{value:.1f}"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{int(seconds // 60)} mnt {int(seconds % 60):02d} dtk"


def local_text(iso: str | None, zone_name: str) -> str:
    """'3 Desember 2026 08.00 WITA' for an ISO time."""
    if not iso:
        return "-"
    at = local(datetime.fromisoformat(iso), zone_name)
    return f"{at.day} {MONTHS[at.month - 1]} {at.year} {at:%H.%M} {zone_name}"


def _sorted(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, float]]:
    return [(labels.get(k, k), v) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]


def report_context(report: dict[str, Any]) -> dict[str, Any]:
    """What the template shows: labelled tables and charts from the report's figures."""
    zone_name = report["timezone"]
    response = report["response"]
    share = response.get("within_target_share")
    forwards = report["forwards"]
    return {
        "r": report,
        "period": f"{local_text(report['period_start'], zone_name)} s.d. "
        f"{local_text(report['period_end'], zone_name)}",
        "due": local_text(report["due_at"], zone_name),
        "generated": local_text(report.get("generated_at"), zone_name),
        "signed": local_text(report.get("signed_at"), zone_name)
        if report.get("signed_at")
        else None,
        "channels": _sorted(report["by_channel"], CHANNELS),
        "validity": _sorted(report["by_validity"], VALIDITY_LABELS),
        "category_chart": bar_chart(_sorted(report["by_category"], CATEGORIES)),
        "polres_chart": bar_chart(
            [(p["name"] or "Tanpa Polres", p["count"]) for p in report["by_polres"][:15]]
        ),
        "polsek": report["by_polsek"],
        "median": _minutes(response["median_s"]),
        "p90": _minutes(response["p90_s"]),
        "unverified_median": _minutes(response.get("unverified_median_s")),
        "share": "-" if share is None else f"{share * 100:.1f}%".replace(".", ","),
        "forward_rows": _sorted(forwards["by_function"], {}),
        "function_label": function_label,
        "open_incidents": [
            {
                **i,
                "received": local_text(i["call_received_at"], zone_name),
                "category_label": CATEGORIES.get(i["category"], i["category"]),
            }
            for i in report.get("open_incidents") or []  # reports made before it was listed
        ],
        "shifts": [
            {
                **s,
                "opened": local_text(s["opened_at"], zone_name),
                "closed": local_text(s["closed_at"], zone_name),
            }
            for s in report["shifts"]
        ],
    }


def report_html(report: dict[str, Any]) -> str:
    """The report as a standalone HTML document (fonts from the machine, nothing fetched)."""
    return TEMPLATES.get_template("daily_report.html").render(**report_context(report))


def report_pdf(report: dict[str, Any]) -> bytes:
    """The report as a PDF."""
    return render_pdf(report_html(report))
