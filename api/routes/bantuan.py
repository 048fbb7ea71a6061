"""Bantuan routes: ask for a unit of another Polres; that Polres or the Polda decides."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.deps import Scope, get_scope, get_session, get_settings_dep
from api.jobs import commit_and_push
from api.routes.dispatch import _actor
from core.settings import Settings
from dispatch import schemas
from dispatch.bantuan import (
    approve_bantuan,
    bantuan_log,
    list_bantuan,
    refuse_bantuan,
    request_bantuan,
)
from dispatch.intake import incident_lonlat
from dispatch.models import BantuanRequest, Incident
from tracking.models import Unit

router = APIRouter(prefix="/api", tags=["bantuan"])
BantuanStatus = Literal["pending", "approved", "refused", "cancelled"]


def _view(session: Session, request: BantuanRequest) -> dict:
    incident = session.get(Incident, request.incident_id)
    lon, lat = incident_lonlat(incident)
    columns = {c.key: getattr(request, c.key) for c in BantuanRequest.__table__.columns}
    return {
        **columns,
        "call_sign": session.get(Unit, request.unit_id).call_sign,
        "incident_category": incident.category,
        "incident_priority": incident.priority,
        "incident_address": incident.address,
        "incident_lon": lon,
        "incident_lat": lat,
        "log": bantuan_log(session, request_id=request.id),
    }


@router.post("/incidents/{incident_id}/bantuan", response_model=schemas.BantuanOut, status_code=201)
def post_bantuan(
    incident_id: int,
    body: schemas.BantuanCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Ask the unit's Polres for one of its units (logged on both sides)."""
    request = request_bantuan(
        session,
        incident_id=incident_id,
        unit_id=body.unit_id,
        actor=_actor(scope, None),
        note=body.note,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _view(session, request)


@router.get("/bantuan", response_model=list[schemas.BantuanOut])
def get_bantuan(
    status: BantuanStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """Requests the caller asked for or decides on, newest first."""
    rows = list_bantuan(
        session, status=status, jurisdiction_ids=scope.jurisdiction_ids, limit=limit
    )
    return [_view(session, row) for row in rows]


@router.post("/bantuan/{request_id}/approve", response_model=schemas.BantuanOut)
def post_approve(
    request_id: int,
    request: Request,
    body: schemas.BantuanDecision | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """The unit's Polres (or the Polda) approves: the unit is assigned and its job sent."""
    row, created = approve_bantuan(
        session,
        request_id=request_id,
        actor=_actor(scope, None),
        note=body.note if body else "",
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    commit_and_push(request, session, settings, incident_id=row.incident_id, created=created)
    return _view(session, row)


@router.post("/bantuan/{request_id}/refuse", response_model=schemas.BantuanOut)
def post_refuse(
    request_id: int,
    body: schemas.BantuanDecision | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """The unit's Polres (or the Polda) refuses; the unit stays where it is."""
    row = refuse_bantuan(
        session,
        request_id=request_id,
        actor=_actor(scope, None),
        note=body.note if body else "",
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _view(session, row)
