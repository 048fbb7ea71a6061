"""Jurisdiction routes: lookup (single and batch), list, detail, GeoJSON for the map."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from api.deps import Scope, get_read_session, get_scope, get_session, get_settings_dep
from core.errors import InvalidLocation
from core.settings import Settings
from jurisdictions import service
from jurisdictions.batch import lookup_points
from jurisdictions.export import jurisdictions_geojson
from jurisdictions.schemas import (
    BatchErrorOut,
    BatchItemOut,
    BatchLookupIn,
    BatchLookupOut,
    JurisdictionOut,
    LookupOut,
)

router = APIRouter(prefix="/api/jurisdictions", tags=["jurisdictions"])


# Lookups are not narrowed by scope: a Polsek operator must learn that a caller stands in
# another jurisdiction in order to hand the call over.
@router.get("/lookup", response_model=LookupOut)
def lookup(
    request: Request,
    lat: float = Query(..., description="lintang WGS84"),
    lon: float = Query(..., description="bujur WGS84"),
    at: datetime | None = Query(None, description="per waktu (default sekarang)"),
    session: Session = Depends(get_read_session),
    scope: Scope = Depends(get_scope),
) -> Response:
    """The Polda -> Polres -> Polsek chain for a point; 422 when invalid or out of area."""
    # Settings straight from the app: one threadpool hop fewer on the hottest route.
    max_m = request.app.state.settings.jurisdiction_nearest_max_m
    result = service.lookup_point(session, lon=lon, lat=lat, at=at, nearest_max_m=max_m)
    # The model is built here already: serialise it once, not validate and serialise again.
    body = LookupOut.of(result, lon=lon, lat=lat).model_dump_json()
    return Response(body, media_type="application/json")


@router.post("/lookup/batch", response_model=BatchLookupOut)
def lookup_batch(
    body: BatchLookupIn,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings_dep),
    scope: Scope = Depends(get_scope),
) -> BatchLookupOut:
    """Many points at once; each answer is a chain or the reason it has none."""
    points = [(p.lon, p.lat) for p in body.points]
    answers = lookup_points(
        session, points=points, at=body.at, nearest_max_m=settings.jurisdiction_nearest_max_m
    )
    items = [_item(answer, lon, lat) for answer, (lon, lat) in zip(answers, points, strict=True)]
    found = [a for a in answers if not isinstance(a, InvalidLocation)]
    return BatchLookupOut(
        results=items,
        inside=sum(1 for a in found if a.match == "inside"),
        nearest=sum(1 for a in found if a.match == "nearest"),
        failed=len(answers) - len(found),
    )


def _item(answer: service.LookupResult | InvalidLocation, lon: float, lat: float) -> BatchItemOut:
    if isinstance(answer, InvalidLocation):
        return BatchItemOut(error=BatchErrorOut(message=answer.message, field=answer.field))
    return BatchItemOut(result=LookupOut.of(answer, lon=lon, lat=lat))


@router.get("", response_model=list[JurisdictionOut])
def list_jurisdictions(
    level: str | None = Query(None, pattern="^(polda|polres|polsek)$"),
    parent_id: int | None = None,
    at: datetime | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[JurisdictionOut]:
    """Jurisdictions in force, within the caller's scope."""
    rows = service.list_jurisdictions(
        session, level=level, parent_id=parent_id, at=at, scope_ids=scope.jurisdiction_ids
    )
    return [JurisdictionOut.model_validate(row) for row in rows]


@router.get("/geojson")
def geojson(
    level: str | None = Query(None, pattern="^(polda|polres|polsek)$"),
    parent_id: int | None = None,
    tolerance_m: float = Query(20.0, ge=0, le=5000),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Polygons in force as a GeoJSON FeatureCollection, simplified to tolerance_m."""
    return jurisdictions_geojson(
        session,
        level=level,
        parent_id=parent_id,
        scope_ids=scope.jurisdiction_ids,
        tolerance_m=tolerance_m,
    )


@router.get("/{jurisdiction_id}", response_model=JurisdictionOut)
def get_jurisdiction(
    jurisdiction_id: int,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> JurisdictionOut:
    """One jurisdiction with its inherited response target and time zone."""
    row = service.get_jurisdiction(
        session, jurisdiction_id=jurisdiction_id, scope_ids=scope.jurisdiction_ids
    )
    out = JurisdictionOut.model_validate(row)
    out.effective_response_target_s = service.effective_target_s(
        session, jurisdiction_id=jurisdiction_id
    )
    out.effective_timezone = service.effective_timezone(session, jurisdiction_id=jurisdiction_id)
    return out
