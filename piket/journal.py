"""The buku mutasi of a shift: manual entries, plus every incident event of the shift.

Manual entries (checks, visitors, equipment faults, orders, notes) live in piket_journal,
which the database keeps append-only. Incident events are read from incident_log (itself
append-only), so the journal lists them without copying and never misses one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import Conflict
from jurisdictions import timezones
from piket.models import JournalEntry, Shift

SQL_DIR = Path(__file__).resolve().parent / "sql"
KIND_LABELS = {
    "check": "Pemeriksaan",
    "opened": "Buka piket",
    "handover": "Serah terima",
    "closed": "Tutup piket",
    "visitor": "Tamu",
    "equipment": "Peralatan",
    "order": "Perintah",
    "note": "Catatan",
}


@cache
def load_sql(name: str) -> str:
    """A query of piket/sql/ by file name (bound parameters only)."""
    return (SQL_DIR / name).read_text()


def add_entry(
    session: Session,
    *,
    shift: Shift,
    kind: str,
    message: str,
    actor: str,
    incident_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> JournalEntry:
    """Append a manual entry; a closed shift's journal takes no more entries."""
    if shift.status == "closed" and kind != "closed":
        raise Conflict(f"buku mutasi piket {shift.id} sudah ditutup", field="shift_id")
    entry = JournalEntry(
        shift_id=shift.id,
        kind=kind,
        message=message.strip(),
        actor=actor,
        incident_id=incident_id,
        detail=detail or {},
        at=at or datetime.now(UTC),
    )
    session.add(entry)
    session.flush()
    return entry


def shift_journal(session: Session, *, shift_id: int) -> list[dict[str, Any]]:
    """Every entry of the shift's buku mutasi, oldest first."""
    rows = session.execute(text(load_sql("shift_journal.sql")), {"shift_id": shift_id})
    return [dict(row._mapping) for row in rows]


def journal_pdf(
    session: Session, *, shift: Shift, center_name: str, zone_name: str | None
) -> bytes:
    """The shift's buku mutasi, printable (PDF)."""
    from core.pdf import render_pdf
    from piket.report_pdf import TEMPLATES, local_text
    from piket.shifts import members_of

    members = members_of(session, shift_id=shift.id)
    zone_label = timezones.zone_name(zone_name)

    def stamp(at: datetime | None) -> str:
        return local_text(at.isoformat(), zone_label) if at else "-"

    entries = [{**e, "when": stamp(e["at"])} for e in shift_journal(session, shift_id=shift.id)]
    html = TEMPLATES.get_template("journal.html").render(
        shift=shift,
        center=center_name,
        entries=entries,
        perwira=next(
            (f"{m.rank} {m.name}".strip() for m in members if m.position == "perwira"), "-"
        ),
        members=[f"{m.rank} {m.name}".strip() for m in members if m.position == "anggota"],
        opened=stamp(shift.opened_at),
        closed=stamp(shift.closed_at),
        missing=[f"{i['label']}: {i['note']}" for i in shift.checklist if not i["ok"]],
    )
    return render_pdf(html)
