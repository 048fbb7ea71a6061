"""The buku mutasi: every change to an incident is a new log row, never an edit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import IncidentLog


def append_log(
    session: Session,
    *,
    incident_id: int,
    actor: str,
    action: str,
    message: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentLog:
    """Append one entry (who, when, what) to an incident's log."""
    entry = IncidentLog(
        incident_id=incident_id,
        actor=actor,
        action=action,
        message=message,
        detail=detail or {},
        at=at or datetime.now(UTC),
    )
    session.add(entry)
    return entry


def list_log(session: Session, *, incident_id: int) -> list[IncidentLog]:
    """An incident's log, oldest first."""
    query = (
        select(IncidentLog)
        .where(IncidentLog.incident_id == incident_id)
        .order_by(IncidentLog.at, IncidentLog.id)
    )
    return list(session.scalars(query))
