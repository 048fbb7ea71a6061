"""Place search and reverse geocoding for the operator console (and every page's map)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from api.deps import Scope, get_read_session, get_scope
from places.reverse import describe_point
from places.schemas import PlaceOut, ReverseOut
from places.search import search_places

router = APIRouter(prefix="/api/places", tags=["places"])


@router.get("/search", response_model=list[PlaceOut])
def search(
    q: str = Query(..., description="jalan, tempat, kelurahan, koordinat, plus code, tautan peta"),
    lon: float | None = Query(None, ge=-180, le=180, description="bujur pusat peta"),
    lat: float | None = Query(None, ge=-90, le=90, description="lintang pusat peta"),
    limit: int = Query(10, ge=1, le=50),
    session: Session = Depends(get_read_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """Results as the operator types; inside the caller's jurisdiction first, then by match."""
    return search_places(
        session, q=q, lon=lon, lat=lat, jurisdiction_ids=scope.jurisdiction_ids, limit=limit
    )


@router.get("/reverse", response_model=ReverseOut)
def reverse(
    lon: float = Query(..., ge=-180, le=180),
    lat: float = Query(..., ge=-90, le=90),
    session: Session = Depends(get_read_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Nearest street, landmark, kelurahan/kecamatan and the jurisdiction of a point."""
    return describe_point(session, lon=lon, lat=lat)
