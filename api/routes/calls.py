"""Calls: the telephony hook (PABX/CTI) and the console's "Terima panggilan" (T0)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from api.deps import Scope, get_scope, get_session
from api.models import User
from api.routes.dispatch import _actor
from dispatch import schemas
from dispatch.calls import answer_call, list_calls, ring_call, take_call

router = APIRouter(prefix="/api", tags=["calls"])


def _home(session: Session, scope: Scope) -> int | None:
    """The caller's own jurisdiction: the line's (telephony) or the desk's (operator)."""
    user = session.get(User, scope.user_id) if scope.user_id is not None else None
    return user.jurisdiction_id if user else None


@router.post("/calls", response_model=schemas.CallOut, status_code=201)
def post_call(
    body: schemas.CallRing,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> object:
    """Telephony hook: a call is ringing on a 110 line; it waits until an operator answers."""
    call = ring_call(
        session,
        caller_phone=body.caller_phone,
        line=body.line,
        jurisdiction_id=_home(session, scope),
        rang_at=body.rang_at,
        external_id=body.external_id,
    )
    session.commit()
    return call


@router.post("/calls/take", response_model=schemas.CallOut, status_code=201)
def post_take(
    body: schemas.CallTake | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> object:
    """ "Terima panggilan": the operator takes a call now (no telephony); this moment is T0."""
    call = take_call(
        session,
        actor=_actor(scope, None),
        jurisdiction_id=_home(session, scope),
        caller_phone=body.caller_phone if body else "",
        line=body.line if body else "",
    )
    session.commit()
    return call


@router.get("/calls", response_model=list[schemas.CallOut])
def get_calls(
    status: Literal["waiting", "answered", "abandoned"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list:
    """Calls on the caller's lines, longest waiting first."""
    return list_calls(session, status=status, jurisdiction_ids=scope.jurisdiction_ids, limit=limit)


@router.post("/calls/{call_id}/answer", response_model=schemas.CallOut)
def post_answer(
    call_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> object:
    """The operator picks up a waiting call; the caller's number fills the form."""
    call = answer_call(
        session, call_id=call_id, actor=_actor(scope, None), jurisdiction_ids=scope.jurisdiction_ids
    )
    session.commit()
    return call
