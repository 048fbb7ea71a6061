"""Console routes: the board of open incidents, find by number or phone, the fleet, and the
lifecycle steps the console needs beyond assignment (cancel, reassign, call back)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.deps import Scope, get_scope, get_session, get_settings_dep
from api.jobs import commit_and_push
from api.routes.dispatch import _actor, _columns, _detail
from core.settings import Settings
from dispatch import schemas
from dispatch.board import ATTENTION_LABELS, find_incidents, fleet_board, open_board
from dispatch.lifecycle import (
    cancel_assignment,
    complete_assignment,
    reassign_unit,
    record_callback,
)

router = APIRouter(prefix="/api", tags=["console"])


@router.get("/console/board", response_model=schemas.BoardOut)
def get_board(session: Session = Depends(get_session), scope: Scope = Depends(get_scope)) -> dict:
    """Every open incident in scope with units, clock and attention, most urgent first."""
    now = datetime.now(UTC)
    return {
        "generated_at": now,
        "attention_labels": ATTENTION_LABELS,
        "incidents": open_board(session, jurisdiction_ids=scope.jurisdiction_ids, now=now),
    }


@router.get("/console/find", response_model=list[schemas.IncidentOut])
def get_find(
    q: str = Query(..., min_length=1, max_length=32, description="nomor laporan atau telepon"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """Incidents by number ("#12") or by caller phone (any form: +62..., 08...)."""
    return find_incidents(session, query=q, jurisdiction_ids=scope.jurisdiction_ids)


@router.get("/console/units", response_model=list[schemas.FleetUnitOut])
def get_fleet(
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> list[dict]:
    """Units in scope with status, fix age, the Polsek they are in now and their incident."""
    return fleet_board(
        session, stale_s=settings.unit_fix_stale_s, jurisdiction_ids=scope.jurisdiction_ids
    )


@router.post(
    "/incidents/{incident_id}/assignments/{assignment_id}/cancel",
    response_model=schemas.IncidentDetail,
)
def post_cancel(
    incident_id: int,
    assignment_id: int,
    body: schemas.CancelRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Take a unit off the incident; the reason goes into the buku mutasi."""
    cancel_assignment(
        session,
        incident_id=incident_id,
        assignment_id=assignment_id,
        reason=body.reason,
        actor=_actor(scope, body.actor),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _detail(session, incident_id, scope)


@router.post(
    "/incidents/{incident_id}/assignments/{assignment_id}/reassign",
    response_model=list[schemas.AssignmentOut],
    status_code=201,
)
def post_reassign(
    incident_id: int,
    assignment_id: int,
    body: schemas.ReassignRequest,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> list[dict]:
    """Send another unit in place of this one (one transaction), then push its job."""
    created = reassign_unit(
        session,
        incident_id=incident_id,
        assignment_id=assignment_id,
        unit_id=body.unit_id,
        reason=body.reason,
        eta_s=body.eta_s,
        actor=_actor(scope, body.actor),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    return commit_and_push(request, session, settings, incident_id=incident_id, created=created)


@router.post("/incidents/{incident_id}/callback", response_model=schemas.IncidentDetail)
def post_callback(
    incident_id: int,
    body: schemas.CallbackRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Record the call back to the caller (outcome and note)."""
    record_callback(
        session,
        incident_id=incident_id,
        outcome=body.outcome,
        note=body.note,
        actor=_actor(scope, body.actor),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _detail(session, incident_id, scope)


@router.post(
    "/incidents/{incident_id}/assignments/{assignment_id}/complete",
    response_model=schemas.AssignmentOut,
)
def post_complete(
    incident_id: int,
    assignment_id: int,
    body: schemas.CompleteRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """ "Selesai" with the crew's short result (the crew's own assignment, or an operator)."""
    assignment = complete_assignment(
        session,
        incident_id=incident_id,
        assignment_id=assignment_id,
        result=body.result,
        actor=_actor(scope, body.actor),
        source="crew" if scope.role == "unit" else "operator",
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _columns(assignment)
