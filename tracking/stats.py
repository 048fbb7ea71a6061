"""Ingest statistics: workers' heartbeats and rejected-message counts by reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.heartbeat import list_beats
from tracking.models import IngestRejectCount, UnitPositionLatest


def ingest_stats(session: Session, *, heartbeat_timeout_s: float) -> dict[str, Any]:
    """Workers (alive or not, with counters), rejects today and in total, fresh positions."""
    workers = [
        {
            "instance": beat["instance"],
            "alive": float(beat["age_s"]) <= heartbeat_timeout_s,
            "age_s": round(float(beat["age_s"]), 1),
            "detail": beat["detail"],
        }
        for beat in list_beats(session, "ingest")
    ]
    today = datetime.now(UTC).date()
    by_day = select(IngestRejectCount.reason, IngestRejectCount.count).where(
        IngestRejectCount.day == today
    )
    total = select(IngestRejectCount.reason, func.sum(IngestRejectCount.count)).group_by(
        IngestRejectCount.reason
    )
    recent = select(func.count()).where(
        UnitPositionLatest.received_at >= datetime.now(UTC) - timedelta(minutes=1)
    )
    return {
        "workers_alive": sum(1 for w in workers if w["alive"]),
        "workers": workers,
        "rejected_today": {r: int(c) for r, c in session.execute(by_day)},
        "rejected_total": {r: int(c) for r, c in session.execute(total)},
        "positions_last_minute": int(session.scalar(recent) or 0),
    }
