"""Dispatch routes: intake, validation, escalation, recommendation, assignment, closing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.deps import Scope, get_scope, get_session, get_settings_dep
from api.jobs import commit_and_push
from core.settings import Settings
from dispatch import schemas
from dispatch.assign import assign_units, send_job
from dispatch.coverage import coverage_report
from dispatch.escalation import accept_incident, validate_incident
from dispatch.intake import (
    caller_history,
    create_incident,
    get_incident,
    merge_incident,
)
from dispatch.log import list_log
from dispatch.pranks import list_flags, review_flag
from dispatch.progress import (
    advance_assignment,
    arrival_evidence,
    close_incident,
    get_assignment,
)
from dispatch.recommend import recommend_units
from dispatch.relocate import moved_jobs, relocate_incident
from dispatch.unit_route import unit_route
from dispatch.views import duplicate_views, incident_detail, incident_views, list_incidents
from roads.service import roads_for

router = APIRouter(prefix="/api", tags=["dispatch"])


def _actor(scope: Scope, given: str | None) -> str:
    """The logged-in user when there is one, else the name the client gave."""
    if scope.user_id is not None:
        return getattr(scope, "username", None) or f"user:{scope.user_id}"
    return (given or "operator").strip()[:100] or "operator"


def _detail(session: Session, incident_id: int, scope: Scope) -> dict:
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=scope.jurisdiction_ids
    )
    return incident_detail(session, incident)


@router.post("/incidents", response_model=schemas.IntakeResult, status_code=201)
def post_incident(
    body: schemas.IncidentCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Create an incident; the answer carries the caller's history and possible duplicates."""
    incident = create_incident(
        session, data=body, actor=_actor(scope, body.actor), jurisdiction_ids=scope.jurisdiction_ids
    )
    history = caller_history(
        session,
        phone=incident.caller_phone,
        exclude_id=incident.id,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    duplicates = duplicate_views(session, incident)
    session.commit()
    return {
        **incident_detail(session, incident),
        "caller_history": history,
        "possible_duplicates": duplicates,
    }


@router.get("/incidents", response_model=list[schemas.IncidentOut])
def get_incidents(
    status: str | None = None,
    open: bool = False,  # noqa: A002
    category: str | None = None,
    validity: str | None = None,
    phone: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """Incidents in scope, newest first (filters: status, open, category, validity, phone)."""
    from dispatch.intake import normalize_phone

    rows = list_incidents(
        session,
        status=status,
        validity=validity,
        open_only=open,
        category=category,
        phone=normalize_phone(phone) if phone else None,
        jurisdiction_ids=scope.jurisdiction_ids,
        limit=limit,
    )
    return incident_views(session, rows)


@router.get("/incidents/{incident_id}", response_model=schemas.IncidentDetail)
def get_incident_detail(
    incident_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict:
    """One incident with its response-time clock, log (buku mutasi) and assignments."""
    return _detail(session, incident_id, scope)


@router.get("/incidents/{incident_id}/log", response_model=list[schemas.LogEntryOut])
def get_incident_log(
    incident_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> list:
    """The incident's buku mutasi, oldest first."""
    get_incident(session, incident_id=incident_id, jurisdiction_ids=scope.jurisdiction_ids)
    return list_log(session, incident_id=incident_id)


@router.get("/incidents/{incident_id}/duplicates", response_model=list[schemas.DuplicateOut])
def get_duplicates(
    incident_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> list[dict]:
    """Open incidents that may be the same event (same category nearby, or same phone)."""
    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=scope.jurisdiction_ids
    )
    return duplicate_views(session, incident)


@router.post("/incidents/{incident_id}/validate", response_model=schemas.IncidentDetail)
def post_validate(
    incident_id: int,
    body: schemas.ValidateRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """Valid / invalid / prank / duplicate, with optional re-classification."""
    validate_incident(
        session,
        incident_id=incident_id,
        validity=body.validity,
        actor=_actor(scope, body.actor),
        accept_timeout_s=settings.dispatch_accept_timeout_s,
        category=body.category,
        priority=body.priority,
        duplicate_of_id=body.duplicate_of_id,
        note=body.note,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _detail(session, incident_id, scope)


@router.post("/incidents/{incident_id}/accept", response_model=schemas.IncidentDetail)
def post_accept(
    incident_id: int,
    body: schemas.ActorRequest | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """The Polres operator accepts the incident offered to it (api/policy.py says who may)."""
    accept_incident(
        session,
        incident_id=incident_id,
        actor=_actor(scope, body and body.actor),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _detail(session, incident_id, scope)


@router.post("/incidents/{incident_id}/merge", response_model=schemas.IncidentDetail)
def post_merge(
    incident_id: int,
    body: schemas.MergeRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Merge this incident into another as its duplicate."""
    merge_incident(
        session,
        incident_id=incident_id,
        into_id=body.into_id,
        actor=_actor(scope, body.actor),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _detail(session, incident_id, scope)


@router.post("/incidents/{incident_id}/location", response_model=schemas.IncidentDetail)
def post_location(
    incident_id: int,
    body: schemas.RelocateRequest,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """Move the incident's pin; its description and Polsek follow, units on the way are told."""
    actor = _actor(scope, body.actor)
    incident = relocate_incident(
        session,
        incident_id=incident_id,
        lon=body.lon,
        lat=body.lat,
        actor=actor,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    told = moved_jobs(session, incident=incident, actor=actor)
    session.commit()
    for assignment, unit in told:  # the same job id: the tracker replaces its target
        send_job(
            request.app.state.broker,
            topic_root=settings.mqtt_topic_root,
            incident=incident,
            assignment=assignment,
            call_sign=unit.call_sign,
            tracker_kind=unit.tracker_kind,
        )
    return incident_detail(session, incident)  # the caller moved it: shown even if now elsewhere


@router.get("/incidents/{incident_id}/recommendations", response_model=schemas.RecommendationsOut)
def get_recommendations(
    incident_id: int,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """Ready units ranked by ETA, with reasons, and nearby units left out, with reasons."""
    return recommend_units(
        session,
        incident_id=incident_id,
        roads=roads_for(settings),
        stale_s=settings.unit_fix_stale_s,
        jurisdiction_ids=scope.jurisdiction_ids,
    )


@router.get("/coverage", response_model=schemas.CoverageOut)
def get_coverage(
    jurisdiction_id: int = Query(..., description="A Polres (all its Polsek) or one Polsek"),
    hour: int | None = Query(None, ge=0, le=23, description="Local hour (default: now)"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """Share of each Polsek's roads its Polres's ready units reach within the target."""
    return coverage_report(
        session,
        roads_for(settings),
        jurisdiction_id=jurisdiction_id,
        stale_s=settings.unit_fix_stale_s,
        jurisdiction_ids=scope.jurisdiction_ids,
        hour=hour,
    )


@router.get("/planner/coverage", response_model=schemas.CoverageOut)
def get_planner_coverage(
    jurisdiction_id: int = Query(..., description="A Polres (all its Polsek) or one Polsek"),
    hour: int = Query(..., ge=0, le=23, description="Local hour of day"),
    history_days: int = Query(7, ge=1, le=31, description="Days of stored positions"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """The same coverage for an hour of day, from the fleet's stored positions (no move-up)."""
    report = coverage_report(
        session,
        roads_for(settings),
        jurisdiction_id=jurisdiction_id,
        stale_s=settings.unit_fix_stale_s,
        jurisdiction_ids=scope.jurisdiction_ids,
        hour=hour,
        history_days=history_days,
    )
    return report | {"move_up": None}  # a past moment's units: nothing to move now


@router.get("/incidents/{incident_id}/route", response_model=schemas.UnitRouteOut)
def get_unit_route(
    incident_id: int,
    unit_id: int = Query(..., description="The unit whose road route to draw"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """The road route (line, ETA, turn list) from the unit's latest fix to the incident."""
    return unit_route(
        session,
        roads_for(settings),
        incident_id=incident_id,
        unit_id=unit_id,
        jurisdiction_ids=scope.jurisdiction_ids,
    )


@router.post(
    "/incidents/{incident_id}/assignments",
    response_model=list[schemas.AssignmentOut],
    status_code=201,
)
def post_assignments(
    incident_id: int,
    body: schemas.AssignRequest,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> list[dict]:
    """Assign units in one transaction (409 names the other incident), then push the jobs."""
    created = assign_units(
        session,
        incident_id=incident_id,
        unit_ids=body.unit_ids,
        actor=_actor(scope, body.actor),
        etas=body.etas,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    return commit_and_push(request, session, settings, incident_id=incident_id, created=created)


def _columns(row) -> dict:  # noqa: ANN001
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


@router.post(
    "/incidents/{incident_id}/assignments/{assignment_id}/status",
    response_model=schemas.AssignmentOut,
)
def post_assignment_status(
    incident_id: int,
    assignment_id: int,
    body: schemas.AssignmentStatusRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """Crew or operator: acknowledged, en route, on scene (manual arrival), cleared, cancelled."""
    assignment = get_assignment(
        session,
        assignment_id=assignment_id,
        incident_id=incident_id,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    source = "crew" if scope.role == "unit" else "operator"
    evidence = None
    if body.status == "on_scene":
        evidence = arrival_evidence(
            session,
            assignment=assignment,
            radius_m=settings.dispatch_arrival_radius_m,
            stale_s=settings.unit_fix_stale_s,
            max_accuracy_m=settings.dispatch_arrival_max_accuracy_m,
        )
    advance_assignment(
        session,
        assignment=assignment,
        status=body.status,
        actor=_actor(scope, body.actor),
        source=source,
        evidence=evidence,
    )
    session.commit()
    return _columns(assignment)


@router.post("/incidents/{incident_id}/close", response_model=schemas.IncidentDetail)
def post_close(
    incident_id: int,
    body: schemas.CloseRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Close with a disposition and the record of the call back to the caller."""
    close_incident(
        session,
        incident_id=incident_id,
        disposition=body.disposition,
        callback_outcome=body.callback_outcome,
        callback_at=body.callback_at,
        callback_note=body.callback_note,
        note=body.note,
        actor=_actor(scope, body.actor),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _detail(session, incident_id, scope)


# Declared before /callers/{phone}, which would otherwise take "flags" as a number.
@router.get("/callers/flags", response_model=list[schemas.CallerFlagOut])
def get_caller_flags(
    include_reviewed: bool = Query(False),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """Numbers flagged for repeated prank calls in scope (open ones first)."""
    return list_flags(
        session, jurisdiction_ids=scope.jurisdiction_ids, include_reviewed=include_reviewed
    )


@router.post("/callers/flags/{flag_id}/review", response_model=schemas.CallerFlagOut)
def post_caller_flag_review(
    flag_id: int,
    body: schemas.CallerFlagReview,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """The Perwira Piket records what was done about a flagged number; the flag closes."""
    out = review_flag(
        session,
        flag_id=flag_id,
        outcome=body.outcome,
        note=body.note,
        actor=_actor(scope, None),
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return out


@router.get("/callers/{phone}", response_model=schemas.CallerHistoryOut)
def get_caller(
    phone: str, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict:
    """A phone number's earlier incidents and whether it is flagged for prank calls."""
    return caller_history(session, phone=phone, jurisdiction_ids=scope.jurisdiction_ids)
