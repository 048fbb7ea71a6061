"""Routes for tracking: units (CRUD, status), positions, ingest statistics."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from api.deps import Scope, get_scope, get_session
from tracking import service
from tracking.schemas import (
    IngestStatsOut,
    PositionOut,
    StatusChange,
    UnitCreate,
    UnitKind,
    UnitOut,
    UnitStatus,
    UnitUpdate,
)
from tracking.stats import ingest_stats

router = APIRouter(prefix="/api", tags=["tracking"])


def _stale_s(request: Request) -> float:
    return request.app.state.settings.unit_fix_stale_s


def _unit_out(session: Session, request: Request, unit_id: int) -> UnitOut:
    views = service.list_units(session, stale_s=_stale_s(request), unit_ids=[unit_id])
    return UnitOut.of(views[0])


@router.get("/units", response_model=list[UnitOut])
def list_units(
    request: Request,
    status: UnitStatus | None = None,
    kind: UnitKind | None = None,
    available: bool | None = Query(None, description="only units available for recommendation"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[UnitOut]:
    """Units with status, link liveness, latest fix and its freshness."""
    views = service.list_units(
        session,
        stale_s=_stale_s(request),
        jurisdiction_ids=scope.jurisdiction_ids,
        status=status,
        kind=kind,
    )
    return [UnitOut.of(v) for v in views if available is None or v.available == available]


@router.post("/units", response_model=UnitOut, status_code=201)
def create_unit(
    body: UnitCreate,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> UnitOut:
    """Register a unit homed within the caller's jurisdiction."""
    unit = service.create_unit(
        session, **body.model_dump(), jurisdiction_ids=scope.jurisdiction_ids
    )
    session.commit()
    return _unit_out(session, request, unit.id)


@router.get("/units/{unit_id}", response_model=UnitOut)
def get_unit(
    unit_id: int,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> UnitOut:
    service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    return _unit_out(session, request, unit_id)


@router.patch("/units/{unit_id}", response_model=UnitOut)
def update_unit(
    unit_id: int,
    body: UnitUpdate,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> UnitOut:
    """Change kind, home jurisdiction or crew."""
    changes = body.model_dump(exclude_unset=True)
    service.update_unit(
        session, unit_id=unit_id, changes=changes, jurisdiction_ids=scope.jurisdiction_ids
    )
    session.commit()
    return _unit_out(session, request, unit_id)


@router.delete("/units/{unit_id}", status_code=204)
def delete_unit(
    unit_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> Response:
    service.delete_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    session.commit()
    return Response(status_code=204)


@router.post("/units/{unit_id}/status", response_model=UnitOut)
def change_status(
    unit_id: int,
    body: StatusChange,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> UnitOut:
    """Move a unit to another status (409 for a transition that is not allowed)."""
    service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    actor = f"user:{scope.user_id}" if scope.user_id is not None else "api"
    service.set_unit_status(
        session, unit_id=unit_id, status=body.status, reason=body.reason, actor=actor
    )
    session.commit()
    return _unit_out(session, request, unit_id)


@router.get("/units/{unit_id}/positions", response_model=list[PositionOut])
def list_positions(
    unit_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(1000, ge=1, le=10000),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[PositionOut]:
    """A unit's fix history, newest first."""
    service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    positions = service.list_positions(
        session, unit_id=unit_id, since=since, until=until, limit=limit
    )
    return [PositionOut.of(p) for p in positions]


@router.get("/ingest/stats", response_model=IngestStatsOut)
def get_ingest_stats(request: Request, session: Session = Depends(get_session)) -> IngestStatsOut:
    """Ingest workers' counters and rejected messages by reason."""
    timeout_s = request.app.state.settings.ingest_heartbeat_timeout_s
    return IngestStatsOut(**ingest_stats(session, heartbeat_timeout_s=timeout_s))
