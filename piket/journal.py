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
