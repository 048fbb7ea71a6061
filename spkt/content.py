"""What a document shows, frozen at issue: the unit's letterhead, reporter, chronology.

Dates are formatted in the issuing unit's local time once, so a reprint years later renders
the same words.
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2.shape import to_shape

from dispatch.taxonomy import CATEGORIES
from spkt.models import Report
from spkt.numbering import IssuingUnit
from spkt.taxonomy import LOST_ITEMS, REPORT_KIND_LABELS

MONTHS_ID = (
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


def long_date(day: date) -> str:
    """3 Desember 2026."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def local_time(at: datetime, unit: IssuingUnit) -> str:
    """3 Desember 2026 pukul 14.05 WITA."""
    local = at.astimezone(unit.zone)
    return f"{long_date(local.date())} pukul {local:%H.%M} {unit.timezone}"


def letterhead(unit: IssuingUnit) -> dict:
    """The kop surat: the Polri header and the chain of units from the Polda down."""
    return {
        "lines": [
            "KEPOLISIAN NEGARA REPUBLIK INDONESIA",
            *(n.upper() for n in reversed(unit.names)),
        ],
        "unit_name": unit.names[0],
        "timezone": unit.timezone,
    }


def report_content(report: Report, unit: IssuingUnit) -> dict:
    """The report part every document of it shows."""
    point = to_shape(report.geom)
    category = CATEGORIES.get(report.category, report.category.replace("_", " ").capitalize())
    return {
        "letterhead": letterhead(unit),
        "report": {
            "number": report.number,
            "kind": REPORT_KIND_LABELS[report.kind],
            "received": local_time(report.received_at, unit),
            "incident_id": report.incident_id,
        },
        "fields": {
            "reporter_name": report.reporter_name,
            "reporter_nik": report.reporter_nik,
            "reporter_birth": f"{report.reporter_birth_place or '-'}, "
            f"{long_date(report.reporter_birth_date)}",
            "reporter_occupation": report.reporter_occupation or "-",
            "reporter_address": report.reporter_address,
            "reporter_phone": report.reporter_phone,
            "what": report.what,
            "category": category,
            "occurred": local_time(report.occurred_at, unit),
            "place": report.place,
            "coordinates": f"{point.y:.6f}, {point.x:.6f}",
            "involved": report.involved or "-",
        },
        "reporter_kind": report.reporter_kind,
        "reporter_nrp": report.reporter_nrp,
        "witnesses": list(report.witnesses or []),
        "lost_items": [
            {**item, "label": LOST_ITEMS.get(item["item"], item["item"])}
            for item in report.lost_items or []
        ],
    }
