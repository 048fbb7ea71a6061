"""HTTP trackers: Traccar Client (the OsmAnd protocol) at /osmand, a Traccar server's position
and event forwarding at /traccar (forward.url and event.forward.url both point there).

Thin: decode (tracking.http_input), resolve the device to its unit (tracking.devices), hand the
fixes to the MQTT ingest (tracking.http_ingest). Each request authenticates itself (a device
identifier Siaga issued; the forwarding secret), so the routes are public in api/policy.py.
Every refusal is counted in the ingest's rejects (/api/ingest/stats).
"""

from __future__ import annotations

import json
import time
from typing import Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.deps import AccessDenied, get_session
from core.errors import Forbidden, InvalidInput
from core.settings import Settings
from tracking.devices import resolve_device
from tracking.http_ingest import (
    ReportTooLarge,
    count_refused,
    publish_report,
    secret_matches,
)
from tracking.http_input import (
    BadReport,
    Report,
    decode_osmand_json,
    decode_osmand_params,
    decode_traccar_forward,
)

router = APIRouter(tags=["trackers"])
# A Traccar Client report is well under 1 KB, a forwarded position a few KB; query and body
# together, so that the message handed to the broker stays under its limit (64 KiB).
MAX_REPORT_BYTES = 16_384
IGNORED_TEXT = {
    "invalid_fix": "perangkat menandai posisi ini tidak sah",
    "mock_location": "lokasi palsu (aplikasi mock location) tidak dipakai",
    "outdated": "posisi lama yang diulang Traccar, bukan posisi baru",
    "event_not_used": "jenis event ini tidak dipakai Siaga",
}
# Ignored on purpose, not a fault: an event type Siaga has no use for.
NOT_COUNTED = ("event_not_used",)


class ReportAnswer(BaseModel):
    """diterima: handed to the ingest (filtered and stored like any MQTT fix); diabaikan: not."""

    status: Literal["diterima", "diabaikan"]
    fixes: int
    reason: str | None = None
    alarm: str | None = None  # the urgent alarm handed on (sos), raised as an operators' alert


def _param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string"}}  # fmt: skip


OSMAND_DOC = {
    "parameters": [
        _param("id", "device identifier issued by `siaga units devices add` (or deviceid)"),
        _param("lat", "latitude, degrees"),
        _param("lon", "longitude, degrees"),
        _param("timestamp", "epoch seconds or milliseconds, or ISO 8601 (absent: now)"),
        _param("speed", "speed in knots"),
        _param("bearing", "heading, degrees"),
        _param("altitude", "metres"),
        _param("accuracy", "metres (0: unknown)"),
        _param("hdop", "horizontal dilution of precision"),
        _param("batt", "battery, percent"),
        _param("charge", "true/false"),
        _param("valid", "true/false/1/0; false: not stored"),
        _param("alarm", "sos: an urgent alert for the operators (Traccar Client's SOS)"),
    ]
}
OSMAND_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        },
    }
}
FORWARD_DOC = {
    "parameters": [_param("secret", "the forwarding secret, for a Traccar without forward.header")],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}


@router.get("/osmand", response_model=ReportAnswer, openapi_extra=OSMAND_DOC)
async def osmand_get(request: Request, session: Session = Depends(get_session)) -> ReportAnswer:
    """A Traccar Client / OsmAnd report as query parameters."""
    return await _osmand(request, session)


@router.post("/osmand", response_model=ReportAnswer, openapi_extra=OSMAND_DOC | OSMAND_BODY)
async def osmand_post(request: Request, session: Session = Depends(get_session)) -> ReportAnswer:
    """A Traccar Client report: query or form parameters, or Traccar Client 9's JSON body."""
    return await _osmand(request, session)


@router.post("/traccar", response_model=ReportAnswer, openapi_extra=FORWARD_DOC)
async def traccar_forward(
    request: Request, session: Session = Depends(get_session)
) -> ReportAnswer:
    """A position (forward.url with forward.json) or an event (event.forward.url) from Traccar."""
    settings = request.app.state.settings
    presented = _bearer(request) or request.query_params.get("secret")
    if not secret_matches(settings.traccar_forward_secret, presented):
        await run_in_threadpool(_count, session, "traccar", "bad_secret")
        if not settings.traccar_forward_secret:
            raise Forbidden(
                "penerusan Traccar belum diaktifkan: admin perlu mengatur "
                "SIAGA_TRACCAR_FORWARD_SECRET",
                field="SIAGA_TRACCAR_FORWARD_SECRET",
            )
        raise AccessDenied(401, "rahasia penerusan Traccar salah atau tidak dikirim")
    body = await _body(request, session, "traccar")
    try:
        report = decode_traccar_forward(_json(body))
    except BadReport as exc:
        await run_in_threadpool(_count, session, "traccar", "malformed")
        raise InvalidInput(exc.message, field=exc.field) from None
    return await run_in_threadpool(_accept, request, session, report, "traccar")


# The trackers' own listener (api/tracker_app.py) also takes OsmAnd at "/", as Traccar does.
root_router = APIRouter(tags=["trackers"])
root_router.add_api_route("/", osmand_get, methods=["GET"], response_model=ReportAnswer)
root_router.add_api_route("/", osmand_post, methods=["POST"], response_model=ReportAnswer)


async def _osmand(request: Request, session: Session) -> ReportAnswer:
    body = await _body(request, session, "osmand")
    try:
        report = _decode_osmand(request, body)
    except BadReport as exc:
        await run_in_threadpool(_count, session, "osmand", "malformed")
        raise InvalidInput(exc.message, field=exc.field) from None
    return await run_in_threadpool(_accept, request, session, report, "osmand")


def _decode_osmand(request: Request, body: bytes) -> Report:
    """JSON when the body says so (as Traccar decides) or is an object, else query, else form
    parameters."""
    is_json = request.headers.get("content-type", "").startswith("application/json")
    if is_json or body.lstrip().startswith(b"{"):
        return decode_osmand_json(_json(body))
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    if not pairs and body:
        try:
            pairs = parse_qsl(body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            raise BadReport("body", "bukan teks UTF-8") from None
    return decode_osmand_params(pairs, now=time.time())


async def _body(request: Request, session: Session, source: str) -> bytes:
    body = await request.body()
    if len(body) + len(request.url.query) > MAX_REPORT_BYTES:
        await run_in_threadpool(_count, session, source, "too_large")
        raise AccessDenied(413, f"laporan terlalu besar (maks. {MAX_REPORT_BYTES} bita)")
    return body


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadReport("body", "bukan JSON yang sah") from None


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _count(session: Session, source: str, reason: str) -> None:
    count_refused(session, source=source, reason=reason)
    session.commit()


def _accept(request: Request, session: Session, report: Report, source: str) -> ReportAnswer:
    """Resolve the device, then hand the report to the ingest (or say why it is ignored)."""
    try:
        unit = resolve_device(session, protocol=source, identifier=report.device)
    except Forbidden:
        _count(session, source, "unknown_device")
        raise
    session.rollback()  # nothing written: end the read before waiting on the broker
    if not report.fixes and report.link is None and report.alarm is None:
        reason = report.ignored or "event_not_used"
        if reason not in NOT_COUNTED:
            _count(session, source, reason)
        return ReportAnswer(status="diabaikan", fixes=0, reason=IGNORED_TEXT[reason])
    settings = request.app.state.settings
    try:
        sent = publish_report(
            request.app.state.broker,
            topic_root=settings.mqtt_topic_root,
            call_sign=unit.call_sign,
            report=report,
            source=source,
            max_bytes=_message_limit(settings),
            link_known_up=unit.link_connected,
        )
    except ReportTooLarge:
        _count(session, source, "too_large")
        raise
    return ReportAnswer(status="diterima", fixes=sent, alarm=report.alarm)


def _message_limit(settings: Settings) -> int:
    """The largest message the ingest decodes and the broker carries."""
    return min(settings.ingest_max_payload_bytes, settings.mqtt_max_payload_bytes)
