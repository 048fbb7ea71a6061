"""Commit an assignment, then push its jobs: the order every assigning route keeps."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from core.settings import Settings
from dispatch.assign import send_jobs
from dispatch.models import Assignment
from tracking.models import Unit


def commit_and_push(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    incident_id: int,
    created: list[tuple[Assignment, Unit]],
) -> list[dict]:
    """Commit, then publish the new assignments' jobs (never before: a rollback sends none)."""
    session.commit()
    send_jobs(
        request.app.state.broker,
        session,
        topic_root=settings.mqtt_topic_root,
        incident_id=incident_id,
        created=created,
        owntracks_root=settings.owntracks_topic_root,
        crew_page_url=settings.crew_page_url,
    )
    return [
        {**{c.key: getattr(a, c.key) for c in a.__table__.columns}, "call_sign": u.call_sign}
        for a, u in created
    ]
