"""The report log: every step at the desk is a new row (who, role, what, when), never an edit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spkt.models import ReportEvent


def append_event(
    session: Session,
    *,
    report_id: int,
    actor: str,
    role: str | None,
    action: str,
    message: str,
    public: bool = False,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ReportEvent:
    """Add one entry to a report's log (public entries are SP2HP notices)."""
    event = ReportEvent(
        report_id=report_id,
        actor=actor,
        role=role,
        action=action,
        message=message,
        public=public,
        detail=detail or {},
        at=at or datetime.now(UTC),
    )
    session.add(event)
    return event


def list_events(
    session: Session, *, report_id: int, public_only: bool = False
) -> list[ReportEvent]:
    """A report's log, oldest first."""
    query = select(ReportEvent).where(ReportEvent.report_id == report_id)
    if public_only:
        query = query.where(ReportEvent.public.is_(True))
    return list(session.scalars(query.order_by(ReportEvent.at, ReportEvent.id)))
