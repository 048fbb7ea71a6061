"""Service heartbeats: long-running workers report liveness and counters to the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

UPSERT_BEAT = text(
    """
    INSERT INTO service_heartbeats (service, instance, beat_at, started_at, detail)
    VALUES (:service, :instance, :beat_at, :started_at, CAST(:detail AS jsonb))
    ON CONFLICT (service, instance)
    DO UPDATE SET beat_at = EXCLUDED.beat_at, detail = EXCLUDED.detail
    """
)


def record_beat(
    session: Session, *, service: str, instance: str, started_at: datetime, detail: dict[str, Any]
) -> None:
    """Upsert one worker's heartbeat (the caller commits)."""
    session.execute(
        UPSERT_BEAT,
        {
            "service": service,
            "instance": instance,
            "beat_at": datetime.now(UTC),
            "started_at": started_at,
            "detail": json.dumps(detail),
        },
    )


def list_beats(session: Session, service: str) -> list[dict[str, Any]]:
    """Heartbeats of one service with their age in seconds, newest first."""
    rows = session.execute(
        text(
            """
            SELECT instance, beat_at, started_at, detail,
                   EXTRACT(EPOCH FROM (now() - beat_at)) AS age_s
            FROM service_heartbeats WHERE service = :service ORDER BY beat_at DESC
            """
        ),
        {"service": service},
    ).mappings()
    return [dict(row) for row in rows]
