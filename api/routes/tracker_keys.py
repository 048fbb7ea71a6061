"""A unit's OwnTracks app: its encryption key (status, set or rotate, clear; never sent back)
and its Device ID (where job notices go), on the admin page /trackers and the API. Scoped
like the unit itself, audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.deps import Scope, audit_change, get_scope, get_session
from tracking import service, trackers
from tracking.models import Unit
from tracking.schemas import OwnTracksDeviceIn, OwnTracksKeyIn, OwnTracksKeyOut
from webmap.tracker_pages import render_trackers_page

router = APIRouter(tags=["tracking"])
KEY_PATH = "/api/units/{unit_id}/owntracks-key"
DEVICE_PATH = "/api/units/{unit_id}/owntracks-device"


def _out(session: Session, unit: Unit) -> OwnTracksKeyOut:
    info = trackers.owntracks_key_info(session, unit_id=unit.id)
    return OwnTracksKeyOut(
        unit_id=unit.id,
        call_sign=unit.call_sign,
        tracker_kind=unit.tracker_kind,
        key_set=info.key_set,
        set_at=info.set_at,
        set_by=info.set_by,
        device=info.device,
    )


@router.get(KEY_PATH, response_model=OwnTracksKeyOut)
def get_owntracks_key(
    unit_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> OwnTracksKeyOut:
    """Whether the unit has an OwnTracks key, since when and set by whom."""
    unit = service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    return _out(session, unit)


@router.put(KEY_PATH, response_model=OwnTracksKeyOut)
def put_owntracks_key(
    unit_id: int,
    body: OwnTracksKeyIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> OwnTracksKeyOut:
    """Set or rotate the key (the ingest opens the app's messages with the new key from its
    next sealed message on); a unit whose tracker acked on MQTT becomes an OwnTracks unit."""
    unit = service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    rotated = trackers.owntracks_key_info(session, unit_id=unit.id).key_set
    if trackers.acknowledges_jobs(unit.tracker_kind):
        trackers.set_tracker_kind(session, unit=unit, tracker_kind="owntracks")
    trackers.set_owntracks_key(
        session,
        unit=unit,
        passphrase=body.owntracks_key,
        set_by=scope.set_by,
    )
    action = "owntracks_key_rotated" if rotated else "owntracks_key_set"
    audit_change(session, scope, action, call_sign=unit.call_sign, unit_id=unit.id)
    session.commit()
    return _out(session, unit)


@router.delete(KEY_PATH, response_model=OwnTracksKeyOut)
def delete_owntracks_key(
    unit_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> OwnTracksKeyOut:
    """Clear the key: the app's encrypted messages are refused (encrypted_no_key) until a new
    one is set."""
    unit = service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    if trackers.clear_owntracks_key(session, unit=unit):
        audit_change(session, scope, "owntracks_key_cleared", call_sign=unit.call_sign,
                     unit_id=unit.id)  # fmt: skip
    session.commit()
    return _out(session, unit)


@router.put(DEVICE_PATH, response_model=OwnTracksKeyOut)
def put_owntracks_device(
    unit_id: int,
    body: OwnTracksDeviceIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> OwnTracksKeyOut:
    """Record the app's Device ID: a new job's notice goes to owntracks/unit-<CS>/<device>/cmd."""
    unit = service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    trackers.set_owntracks_device(session, unit=unit, device=body.device, set_by=scope.set_by)
    audit_change(session, scope, "owntracks_device_set", call_sign=unit.call_sign,
                 unit_id=unit.id, device=body.device)  # fmt: skip
    session.commit()
    return _out(session, unit)


@router.delete(DEVICE_PATH, response_model=OwnTracksKeyOut)
def delete_owntracks_device(
    unit_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> OwnTracksKeyOut:
    """Forget the Device ID: no more job notices to the app (the crew page still rings)."""
    unit = service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    if trackers.clear_owntracks_device(session, unit=unit):
        audit_change(session, scope, "owntracks_device_cleared", call_sign=unit.call_sign,
                     unit_id=unit.id)  # fmt: skip
    session.commit()
    return _out(session, unit)


@router.get("/trackers", response_class=HTMLResponse)
def trackers_page() -> HTMLResponse:
    """The trackers admin page (HTML; its data comes from the JSON API)."""
    return HTMLResponse(render_trackers_page(), headers={"Cache-Control": "no-cache"})
