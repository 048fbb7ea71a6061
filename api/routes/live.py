"""Server-sent events for the live pages: unit positions and statuses as they change."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from api.auth import AuthenticationFailed, user_for_token
from api.deps import Scope, bearer_token, build_scope, get_scope
from api.policy import rule_for
from core.settings import Settings
from webmap.service import list_live_units

router = APIRouter(tags=["live"])

POLL_S = 1.0
# How often a stream re-checks its token and scope against the user row.
RECHECK_S = 3.0
KEEPALIVE_S = 15.0
# Re-read a little before the last change seen: a row committed late with an earlier
# received_at is still caught; the page just redraws the same position.
OVERLAP = timedelta(seconds=3)


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _poll(
    factory: sessionmaker[Session], since: datetime | None, stale_s: float, scope: Scope
) -> list[dict[str, Any]]:
    with factory() as session:
        return list_live_units(
            session, since=since, stale_after_s=stale_s, jurisdiction_ids=scope.jurisdiction_ids
        )


def _still_allowed(
    factory: sessionmaker[Session], settings: Settings, token: str, scope: Scope
) -> bool:
    """The token still opens this stream with the scope it was opened with."""
    with factory() as session:
        try:
            user = user_for_token(session, settings, token)
        except AuthenticationFailed:
            return False
        now = build_scope(session, user)
    return (now.role, now.jurisdiction_ids) == (scope.role, scope.jurisdiction_ids)


async def _unit_stream(request: Request, scope: Scope) -> AsyncIterator[str]:
    factory = request.app.state.session_factory
    settings = request.app.state.settings
    stale_s = getattr(settings, "unit_fix_stale_s", 120.0)
    token = bearer_token(request, rule_for("GET", "/api/live/units"))
    cursor: datetime | None = None
    seen: dict[int, str | None] = {}
    last_sent = last_check = time.monotonic()
    while not await request.is_disconnected():
        if time.monotonic() - last_check >= RECHECK_S:
            # A disabled or moved user, an expired or revoked token: the stream ends now.
            if not await run_in_threadpool(_still_allowed, factory, settings, token, scope):
                yield _event("ended", {"message": "Sesi berakhir; silakan masuk kembali"})
                return
            last_check = time.monotonic()
        since = None if cursor is None else cursor - OVERLAP
        units = await run_in_threadpool(_poll, factory, since, stale_s, scope)
        fresh = [u for u in units if seen.get(u["id"], "") != u["changed_at"]]
        seen.update((u["id"], u["changed_at"]) for u in fresh)
        if fresh or cursor is None:
            payload = {"full": cursor is None, "stale_after_s": stale_s, "units": fresh}
            yield _event("units", payload)
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEPALIVE_S:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        cursor = _latest(units, cursor)
        await asyncio.sleep(POLL_S)


def _latest(units: list[dict[str, Any]], cursor: datetime | None) -> datetime:
    changed = [datetime.fromisoformat(u["changed_at"]) for u in units if u["changed_at"]]
    floor = cursor or datetime.fromtimestamp(0, tz=UTC)
    return max([floor, *changed])


@router.get("/api/live/units")
async def live_units(request: Request, scope: Scope = Depends(get_scope)) -> StreamingResponse:
    """Event stream: one `units` event with every unit, then the units that changed."""
    return StreamingResponse(
        _unit_stream(request, scope),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
