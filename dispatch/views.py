"""Read side: incidents as the API shows them (jurisdiction names, timestamps, clock, log)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dispatch.assign import list_assignments
from dispatch.clock import response_clock
from dispatch.intake import find_duplicates, incident_lonlat
from dispatch.log import list_log
from dispatch.models import Assignment, Incident
from jurisdictions.models import Jurisdiction

TIMESTAMPS = (
    "call_received_at",
    "created_at",
    "validated_at",
    "offered_at",
    "accepted_at",
    "escalated_at",
    "dispatched_at",
    "acknowledged_at",
    "en_route_at",
    "on_scene_at",
    "cleared_at",
    "closed_at",
    "callback_at",
)
_SKIP = {"geom", "polda_id", "polres_id", "polsek_id", *TIMESTAMPS}


def _refs(session: Session, incidents: list[Incident]) -> dict[int, dict[str, Any]]:
    ids = {j for i in incidents for j in (i.polda_id, i.polres_id, i.polsek_id) if j}
    rows = session.execute(
        select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.name, Jurisdiction.level).where(
            Jurisdiction.id.in_(ids)
        )
    ).mappings()
    return {r["id"]: dict(r) for r in rows}


def _alert_counts(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.incident_id, func.count())
        .where(Assignment.incident_id.in_(ids), Assignment.alerted_at.is_not(None))
        .where(Assignment.released_at.is_(None))
        .group_by(Assignment.incident_id)
    )
    return {incident_id: count for incident_id, count in rows}


def incident_views(session: Session, incidents: list[Incident]) -> list[dict[str, Any]]:
    """Incidents as dicts for IncidentOut."""
    refs = _refs(session, incidents)
    alerts = _alert_counts(session, [i.id for i in incidents])
    views = []
    for incident in incidents:
        view = {c.key: getattr(incident, c.key) for c in Incident.__table__.columns}
        view = {k: v for k, v in view.items() if k not in _SKIP}
        view["lon"], view["lat"] = incident_lonlat(incident)
        for level in ("polda", "polres", "polsek"):
            view[level] = refs.get(getattr(incident, f"{level}_id"))
        view["timestamps"] = {name: getattr(incident, name) for name in TIMESTAMPS}
        view["alerts"] = alerts.get(incident.id, 0)
        views.append(view)
    return views


def incident_detail(
    session: Session, incident: Incident, *, now: datetime | None = None
) -> dict[str, Any]:
    """One incident with its clock, log and assignments."""
    (view,) = incident_views(session, [incident])
    view["clock"] = response_clock(incident, now=now or datetime.now(UTC))
    view["log"] = list_log(session, incident_id=incident.id)
    view["assignments"] = [
        {**{c.key: getattr(a, c.key) for c in Assignment.__table__.columns}, "call_sign": cs}
        for a, cs in list_assignments(session, incident_id=incident.id)
    ]
    return view


def list_incidents(
    session: Session,
    *,
    status: str | None = None,
    open_only: bool = False,
    category: str | None = None,
    validity: str | None = None,
    phone: str | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    limit: int = 100,
) -> list[Incident]:
    """Incidents in scope, newest first, filtered."""
    query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit)
    if jurisdiction_ids is not None:
        ids = list(jurisdiction_ids)
        query = query.where(
            or_(
                Incident.polda_id.in_(ids), Incident.polres_id.in_(ids), Incident.polsek_id.in_(ids)
            )
        )
    if status:
        query = query.where(Incident.status == status)
    if open_only:
        query = query.where(Incident.closed_at.is_(None))
    if category:
        query = query.where(Incident.category == category)
    if validity:
        query = query.where(Incident.validity == validity)
    if phone:
        query = query.where(Incident.caller_phone == phone)
    return list(session.scalars(query))


def duplicate_views(session: Session, incident: Incident) -> list[dict[str, Any]]:
    """Possible duplicates of an incident as dicts for DuplicateOut."""
    return [
        {
            "incident_id": d.incident.id,
            "category": d.incident.category,
            "status": d.incident.status,
            "distance_m": round(d.distance_m, 1),
            "created_at": d.incident.created_at,
            "reasons": d.reasons,
        }
        for d in find_duplicates(session, incident=incident, now=incident.created_at)
    ]
