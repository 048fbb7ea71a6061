"""Routes for units' HTTP trackers (Traccar Client phones, Traccar-forwarded devices): list,
register (an osmand identifier is shown once), revoke. Audited like user changes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.deps import Scope, audit_change, get_scope, get_session
from tracking import devices, service
from tracking.schemas import TrackerDeviceCreate, TrackerDeviceIssued, TrackerDeviceOut

router = APIRouter(prefix="/api/units/{unit_id}/devices", tags=["tracking"])


def _out(row: devices.DeviceRow) -> TrackerDeviceOut:
    return TrackerDeviceOut(**row.__dict__)


@router.get("", response_model=list[TrackerDeviceOut])
def list_unit_devices(
    unit_id: int,
    include_revoked: bool = Query(False, description="revoked devices too"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[TrackerDeviceOut]:
    """The unit's HTTP trackers (an osmand identifier is never shown again)."""
    service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    rows = devices.list_devices(session, unit_id=unit_id, include_revoked=include_revoked)
    return [_out(row) for row in rows]


@router.post("", response_model=TrackerDeviceIssued, status_code=201)
def add_unit_device(
    unit_id: int,
    body: TrackerDeviceCreate,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> TrackerDeviceIssued:
    """Register a tracker; the answer carries the identifier the device must send (once)."""
    unit = service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    row, identifier = devices.issue_device(
        session,
        call_sign=unit.call_sign,
        protocol=body.protocol,
        unique_id=body.unique_id,
        label=body.label,
        issued_by=scope.set_by,
    )
    audit_change(session, scope, "tracker_device_added", call_sign=unit.call_sign,
           protocol=body.protocol, device_id=row.id)  # fmt: skip
    listed = devices.device_row(session, row)
    session.commit()
    settings = request.app.state.settings
    config_url = None
    if body.protocol == "osmand" and settings.trackers_public_url:
        config_url = devices.client_config_url(
            settings.trackers_public_url, identifier, stale_s=settings.unit_fix_stale_s
        )
    return TrackerDeviceIssued(**listed.__dict__, identifier=identifier, config_url=config_url)


@router.delete("/{device_id}", response_model=TrackerDeviceOut)
def revoke_unit_device(
    unit_id: int,
    device_id: int,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> TrackerDeviceOut:
    """Stop accepting the device's reports (kept for the record, marked revoked)."""
    service.get_unit(session, unit_id=unit_id, jurisdiction_ids=scope.jurisdiction_ids)
    row = devices.revoke_device(session, device_id=device_id, unit_id=unit_id)
    audit_change(session, scope, "tracker_device_revoked", device_id=row.id, protocol=row.protocol)
    listed = devices.device_row(session, row)
    session.commit()
    return _out(listed)
