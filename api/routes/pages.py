"""The pages (operator, commander, planner, unit), their local assets and the map data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api import media
from api.deps import Scope, get_scope, get_session, get_settings_dep
from core.errors import Forbidden
from core.settings import Settings
from webmap import analytics
from webmap.assets import media_type, resolve_asset
from webmap.maps import render_page
from webmap.service import jurisdiction_features
from webmap.unit_page import (
    attach_road_route,
    current_job,
    phone_fix_payload,
    publish_phone_fix,
)

router = APIRouter(tags=["pages"])

PAGE_NAMES = ("operator", "commander", "planner", "unit")


def _page_route(page: str) -> None:
    def page_view(settings: Settings = Depends(get_settings_dep)) -> HTMLResponse:
        return HTMLResponse(render_page(settings, page=page), headers={"Cache-Control": "no-cache"})

    page_view.__doc__ = f"The {page} page (HTML; its data comes from the JSON API)."
    router.add_api_route(
        f"/{page}", page_view, methods=["GET"], name=f"page_{page}", response_class=HTMLResponse
    )


for _name in PAGE_NAMES:
    _page_route(_name)


@router.get("/static/{path:path}", include_in_schema=False)
def static_asset(path: str) -> FileResponse:
    """Leaflet, leaflet.heat and our own scripts, styles and icons; never a CDN."""
    file = resolve_asset(path)
    return FileResponse(file, media_type=media_type(file), headers={"Cache-Control": "max-age=300"})


@router.get("/api/map/jurisdictions")
def map_jurisdictions(
    session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict[str, Any]:
    """Jurisdiction polygons in force (GeoJSON) for the pages, within the caller's scope."""
    return jurisdiction_features(session, jurisdiction_ids=scope.jurisdiction_ids)


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def _period(start: date = Query(..., alias="from"), end: date = Query(..., alias="to")) -> Period:
    return Period(start=start, end=end)


@router.get("/api/planner/summary")
def planner_summary(
    period: Period = Depends(_period),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """Totals, share within target, p50/p90 response, by category and by hour of day."""
    return analytics.summarize_period(
        session, start=period.start, end=period.end, jurisdiction_ids=scope.jurisdiction_ids
    )


@router.get("/api/planner/heat")
def planner_heat(
    period: Period = Depends(_period),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """Heat-layer points [lat, lon, weight] (weight: response time relative to target)."""
    points = analytics.heat_points(
        session, start=period.start, end=period.end, jurisdiction_ids=scope.jurisdiction_ids
    )
    return {"points": points}


@router.get("/api/planner/hexbins")
def planner_hexbins(
    period: Period = Depends(_period),
    size_m: float = Query(500.0),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """Hexagon bins (GeoJSON) with incident count and p90 response time."""
    return analytics.hexbin_features(
        session,
        start=period.start,
        end=period.end,
        size_m=size_m,
        jurisdiction_ids=scope.jurisdiction_ids,
    )


@router.get("/api/planner/share")
def planner_share(
    period: Period = Depends(_period),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """Per-Polsek share of incidents reached within target (GeoJSON choropleth)."""
    return analytics.polsek_share_features(
        session, start=period.start, end=period.end, jurisdiction_ids=scope.jurisdiction_ids
    )


@router.get("/api/planner/export.csv", **media.CSV)
def planner_export_csv(
    period: Period = Depends(_period),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> Response:
    """The period's incidents as CSV."""
    rows = analytics.export_rows(
        session, start=period.start, end=period.end, jurisdiction_ids=scope.jurisdiction_ids
    )
    return Response(
        analytics.rows_to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(period, "csv"),
    )


@router.get("/api/planner/export.geojson", **media.GEOJSON)
def planner_export_geojson(
    period: Period = Depends(_period),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> JSONResponse:
    """The period's incidents as GeoJSON points."""
    rows = analytics.export_rows(
        session, start=period.start, end=period.end, jurisdiction_ids=scope.jurisdiction_ids
    )
    return JSONResponse(
        analytics.rows_to_geojson(rows),
        media_type="application/geo+json",
        headers=_attachment(period, "geojson"),
    )


def _attachment(period: Period, ext: str) -> dict[str, str]:
    name = f"siaga-insiden-{period.start.isoformat()}-{period.end.isoformat()}.{ext}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


class PhoneFix(BaseModel):
    """The phone's position as the browser's Geolocation API gives it."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    tst: int = Field(description="fix time, Unix seconds")
    acc: float | None = Field(None, ge=0)
    vel: float | None = Field(None, description="speed, m/s")
    cog: float | None = Field(None, ge=0, le=360)


def _own_unit(scope: Scope) -> int:
    if scope.unit_id is None:
        raise Forbidden("hanya untuk akun unit patroli", field="unit_id")
    return scope.unit_id


@router.get("/api/me/job")
def my_job(
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """The logged-in unit and its current job (incident location, ETA, distance, road route)."""
    return attach_road_route(current_job(session, unit_id=_own_unit(scope)), settings)


@router.post("/api/me/location", status_code=202)
def my_location(
    fix: PhoneFix,
    request: Request,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict[str, str]:
    """Share the phone's location: published as an OwnTracks fix on the unit's own topic."""
    payload = phone_fix_payload(
        lat=fix.lat, lon=fix.lon, tst=fix.tst, acc=fix.acc, vel_mps=fix.vel, cog=fix.cog
    )
    topic = publish_phone_fix(
        session,
        request.app.state.broker,
        topic_root=settings.mqtt_topic_root,
        unit_id=_own_unit(scope),
        payload=payload,
    )
    return {"status": "dikirim", "topic": topic}
