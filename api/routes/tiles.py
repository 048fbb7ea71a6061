"""GET /tiles/{z}/{x}/{y}.mvt: the basemap's vector tiles (PostGIS ST_AsMVT), cached."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from api.deps import get_read_session
from places.tiles import TileCache, cached_tile

router = APIRouter(tags=["tiles"])
MVT = "application/vnd.mapbox-vector-tile"


def _cache(request: Request) -> TileCache:
    cache = getattr(request.app.state, "tile_cache", None)
    if cache is None:
        cache = request.app.state.tile_cache = TileCache()
    return cache


@router.get("/tiles/{z}/{x}/{y}.mvt", response_class=Response)
def tile(
    z: int, x: int, y: int, request: Request, session: Session = Depends(get_read_session)
) -> Response:
    """Streets, places, police stations, areas and jurisdictions of one tile."""
    body, version = cached_tile(session, _cache(request), z=z, x=x, y=y)
    etag = f'"v{version}-{z}-{x}-{y}"'
    # Revalidate every time (cheap: a 304 from the version alone), never serve stale streets.
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MVT, headers=headers)
