"""Trackers' SOS alerts (dispatch/alarms.py): the list the consoles poll, and acknowledging
one (who and when are recorded). Scoped like every other view: a user sees only the alerts
of units homed in their area, or working an incident there."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.deps import Scope, get_scope, get_session
from dispatch.alarms import acknowledge_alarm, list_alarms

router = APIRouter(prefix="/api", tags=["alarms"])


class AlarmOut(BaseModel):
    """One alert: the unit, its last position (lon, lat, fixed_at), who took it."""

    id: int
    unit_id: int
    call_sign: str
    kind: str
    source: str
    message: str
    raised_at: datetime
    last_reported_at: datetime
    report_count: int
    lon: float | None
    lat: float | None
    fixed_at: datetime | None
    incident_id: int | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    timezone: str | None  # WIB/WITA/WIT of the unit's home area, for showing the times


@router.get("/alarms", response_model=list[AlarmOut])
def get_alarms(session: Session = Depends(get_session), scope: Scope = Depends(get_scope)):  # noqa: ANN201
    """Open SOS alerts in scope (newest first), then those acknowledged in the last hour."""
    return list_alarms(session, jurisdiction_ids=scope.jurisdiction_ids)


@router.post("/alarms/{alarm_id}/acknowledge", response_model=AlarmOut)
def post_acknowledge(  # noqa: ANN201
    alarm_id: int = Path(..., ge=1, le=2**62),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
):
    """Take the alert: records the operator and the time (409 if someone already took it)."""
    alarm = acknowledge_alarm(
        session,
        alarm_id=alarm_id,
        username=scope.username or "?",
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    full = [a for a in list_alarms(session, jurisdiction_ids=scope.jurisdiction_ids)
            if a["id"] == alarm_id]  # fmt: skip
    return full[0] if full else alarm
