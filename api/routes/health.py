"""GET /health: database, PostGIS, broker and ingest status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.deps import get_session
from core.heartbeat import list_beats

router = APIRouter(tags=["health"])


def _database_status(session: Session) -> dict[str, Any]:
    try:
        row = session.execute(
            text("SELECT current_setting('server_version') AS server, postgis_lib_version() AS gis")
        ).one()
    except SQLAlchemyError as exc:
        return {"ok": False, "error": str(exc.__cause__ or exc).splitlines()[0]}
    return {"ok": True, "server_version": row.server, "postgis_version": row.gis}


def _ingest_status(session: Session, timeout_s: float) -> dict[str, Any]:
    try:
        beats = list_beats(session, "ingest")
    except SQLAlchemyError:
        return {"ok": False, "status": "unknown", "workers": []}
    workers = [
        {"instance": b["instance"], "age_s": round(float(b["age_s"]), 1), **b["detail"]}
        for b in beats
    ]
    alive = [w for w in workers if w["age_s"] <= timeout_s]
    return {
        "ok": bool(alive),
        "status": "running" if alive else "not running",
        "workers_alive": len(alive),
        "workers": workers,
    }


@router.get("/health")
def health(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    """Liveness of the platform's parts; 503 when the database or the broker is down."""
    settings = request.app.state.settings
    broker = request.app.state.broker
    database = _database_status(session)
    if not database["ok"]:
        session.rollback()
    broker_status = {"ok": broker.connected, "host": f"{broker.target.host}:{broker.target.port}"}
    ingest = (
        _ingest_status(session, settings.ingest_heartbeat_timeout_s)
        if database["ok"]
        else {"ok": False, "status": "unknown", "workers": []}
    )
    core_ok = database["ok"] and broker_status["ok"]
    body = {
        "status": "ok" if core_ok and ingest["ok"] else ("degraded" if core_ok else "down"),
        "database": database,
        "broker": broker_status,
        "ingest": ingest,
    }
    return JSONResponse(body, status_code=200 if core_ok else 503)
