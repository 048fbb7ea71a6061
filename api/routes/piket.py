"""Piket routes: shifts and their buku mutasi, the Perwira's queue and orders, forwards to the
fungsi terkait, the daily report. Who may call what is in api/policy.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from api import media
from api.deps import Scope, get_scope, get_session, get_settings_dep
from api.models import User
from core.errors import Forbidden, InvalidInput, NotFound
from core.settings import Settings
from piket import schemas
from piket.clock import greeting_word, local
from piket.forwards import (
    acknowledge_forward,
    check_desk,
    forward_incident,
    forward_view,
    get_forward,
    incidents_by_id,
    list_forwards,
    report_forward_result,
)
from piket.journal import add_entry, shift_journal
from piket.orders import (
    finish_order,
    get_order,
    give_order,
    list_orders,
    order_view,
    perwira_queue,
    record_action,
)
from piket.report import (
    generate_report,
    get_report,
    list_reports,
    report_view,
    sign_report,
)
from piket.shifts import (
    acknowledge_handover,
    current_shift,
    get_center,
    get_shift,
    hand_over,
    list_shifts,
    members_of,
    prepare_shift,
    shift_view,
)

router = APIRouter(tags=["piket"])


def _user(session: Session, scope: Scope) -> User:
    user = session.get(User, scope.user_id) if scope.user_id is not None else None
    if user is None:
        raise Forbidden("pengguna tidak dikenal")
    return user


def _center(session: Session, scope: Scope, center_id: int | None):  # noqa: ANN202
    """The centre asked for, or the caller's own (a Perwira's, an operator's, the Direktur's)."""
    if center_id is None:
        center_id = _user(session, scope).jurisdiction_id
    if center_id is None:
        raise InvalidInput("sebutkan pusat komando", field="center")
    return get_center(session, center_id=center_id, jurisdiction_ids=scope.jurisdiction_ids)


# --- shifts and the buku mutasi -------------------------------------------------------------


@router.post("/api/piket/shifts", status_code=201)
def post_shift(
    body: schemas.ShiftOpen,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict[str, Any]:
    """Prepare a shift (checks, members); it opens at once when none is on duty."""
    center = get_center(session, center_id=body.center_id, jurisdiction_ids=scope.jurisdiction_ids)
    shift = prepare_shift(
        session,
        center=center,
        perwira_username=body.perwira_username or scope.username,
        perwira_rank=body.perwira_rank,
        members=body.members,
        checks=body.checks,
        planned_hours=body.planned_hours or settings.piket_shift_hours,
        actor=scope.username or "",
    )
    session.commit()
    return shift_view(session, shift)


@router.get("/api/piket/shifts")
def get_shifts(
    center: int | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict[str, Any]]:
    """The centre's shifts, newest first."""
    centre = _center(session, scope, center)
    return [shift_view(session, s) for s in list_shifts(session, center_id=centre.id)]


@router.get("/api/piket/shifts/current")
def get_current_shift(
    center: int | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """The shift on duty (null if none) and the one getting ready, of the caller's centre."""
    from jurisdictions.service import effective_timezone

    centre = _center(session, scope, center)
    shift = current_shift(session, center_id=centre.id)
    incoming = next(
        (s for s in list_shifts(session, center_id=centre.id, limit=3) if s.status == "preparing"),
        None,
    )
    return {
        "center": {
            "id": centre.id,
            "name": centre.name,
            "code": centre.code,
            "timezone": effective_timezone(session, jurisdiction_id=centre.id),
        },
        "shift": shift_view(session, shift) if shift else None,
        "incoming": shift_view(session, incoming) if incoming else None,
    }


@router.post("/api/piket/shifts/{shift_id}/handover")
def post_handover(
    shift_id: int,
    body: schemas.HandoverIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """The outgoing shift hands over to the prepared one (open items are listed for it)."""
    shift = get_shift(
        session, shift_id=shift_id, jurisdiction_ids=scope.jurisdiction_ids, for_update=True
    )
    incoming = hand_over(session, shift=shift, note=body.note, actor=scope.username or "")
    session.commit()
    return shift_view(session, incoming)


@router.post("/api/piket/shifts/{shift_id}/acknowledge")
def post_acknowledge(
    shift_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict[str, Any]:
    """The incoming Perwira accepts the hand-over: the shifts change at this instant."""
    shift = get_shift(
        session, shift_id=shift_id, jurisdiction_ids=scope.jurisdiction_ids, for_update=True
    )
    acknowledge_handover(session, shift=shift, actor=scope.username or "")
    session.commit()
    return shift_view(session, shift)


@router.get("/api/piket/shifts/{shift_id}/journal")
def get_journal(
    shift_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> list[dict[str, Any]]:
    """The shift's buku mutasi (manual entries and incident events), oldest first."""
    get_shift(session, shift_id=shift_id, jurisdiction_ids=scope.jurisdiction_ids)
    return shift_journal(session, shift_id=shift_id)


@router.get("/api/piket/shifts/{shift_id}/journal.pdf", **media.PDF)
def get_journal_pdf(
    shift_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> Response:
    """The shift's buku mutasi, printable."""
    from jurisdictions.models import Jurisdiction
    from jurisdictions.service import effective_timezone
    from piket.journal import journal_pdf

    shift = get_shift(session, shift_id=shift_id, jurisdiction_ids=scope.jurisdiction_ids)
    center = session.get(Jurisdiction, shift.center_id)
    pdf = journal_pdf(
        session,
        shift=shift,
        center_name=center.name if center else "",
        zone_name=effective_timezone(session, jurisdiction_id=shift.center_id),
    )
    name = f"buku-mutasi-piket-{shift.id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/api/incidents/{incident_id}/piket")
def get_incident_piket(
    incident_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict[str, Any]:
    """Who was on duty when the call came in (Polda and Polres shifts), its orders and forwards."""
    from dispatch.intake import get_incident
    from piket.shifts import duty_for_incident

    incident = get_incident(
        session, incident_id=incident_id, jurisdiction_ids=scope.jurisdiction_ids
    )
    now = datetime.now(UTC)
    return {
        "incident_id": incident.id,
        "on_duty": [
            shift_view(session, s, now=now) for s in duty_for_incident(session, incident=incident)
        ],
        "orders": [
            order_view(session, o, now=now)
            for o in list_orders(
                session, jurisdiction_ids=scope.jurisdiction_ids, incident_id=incident.id
            )
        ],
        "forwards": _views(
            session, list_forwards(session, jurisdiction_ids=None, incident_id=incident.id)
        ),
    }


@router.post("/api/piket/shifts/{shift_id}/journal", status_code=201)
def post_journal(
    shift_id: int,
    body: schemas.JournalIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """A manual entry: visitor, equipment fault, order, note."""
    shift = get_shift(session, shift_id=shift_id, jurisdiction_ids=scope.jurisdiction_ids)
    entry = add_entry(
        session,
        shift=shift,
        kind=body.kind,
        message=body.message,
        actor=scope.username or "",
        incident_id=body.incident_id,
    )
    session.commit()
    return {"id": entry.id, "at": entry.at, "kind": entry.kind, "message": entry.message}


@router.get("/api/piket/greeting")
def get_greeting(
    session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict[str, Any]:
    """The SOP's opening words for the caller at the local time: greeting, name, rank, unit."""
    user = _user(session, scope)
    centre = _center(session, scope, None)
    from jurisdictions.service import effective_timezone

    zone_name = effective_timezone(session, jurisdiction_id=centre.id)
    now = local(datetime.now(UTC), zone_name)
    shift = current_shift(session, center_id=centre.id)
    member = next(
        (
            m
            for m in (members_of(session, shift_id=shift.id) if shift else [])
            if m.user_id == user.id
        ),
        None,
    )
    name = member.name if member else (user.full_name or user.username)
    rank = member.rank if member else ""
    who = f"{rank} {name}".strip()
    word = greeting_word(now)
    return {
        "greeting": f"Selamat {word}",
        "name": name,
        "rank": rank,
        "unit": centre.name,
        "script": f"Selamat {word}, Call Center 110 {centre.name}, dengan {who}. "
        "Ada yang bisa kami bantu?",
        "local_time": now.isoformat(),
        "timezone": zone_name,
        "on_shift": member is not None,
    }


# --- the Perwira's queue and orders ---------------------------------------------------------


@router.get("/api/piket/queue")
def get_queue(
    center: int | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict[str, Any]]:
    """Incidents of the centre for the Perwira: open ones and those of the shift on duty."""
    centre = _center(session, scope, center)
    return perwira_queue(session, center_id=centre.id)


@router.post("/api/incidents/{incident_id}/orders", status_code=201)
def post_order(
    incident_id: int,
    body: schemas.OrderIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """The Perwira Piket's order on an incident: what, to whom, by when."""
    user = _user(session, scope)
    order = give_order(
        session,
        incident_id=incident_id,
        instruction=body.instruction,
        assignee=body.assignee,
        due_at=body.due_at,
        actor=user.username,
        center_id=user.jurisdiction_id,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return order_view(session, order, now=datetime.now(UTC))


@router.get("/api/piket/orders")
def get_orders(
    incident_id: int | None = None,
    open: bool = False,  # noqa: A002
    overdue: bool = False,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict[str, Any]]:
    """Orders in scope (filters: incident, open, overdue), newest first."""
    now = datetime.now(UTC)
    rows = list_orders(
        session,
        jurisdiction_ids=scope.jurisdiction_ids,
        incident_id=incident_id,
        open_only=open,
        overdue_only=overdue,
        now=now,
    )
    return [order_view(session, o, now=now) for o in rows]


@router.post("/api/piket/orders/{order_id}/actions", status_code=201)
def post_order_action(
    order_id: int,
    body: schemas.OrderActionIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """The operator records an action taken on an order."""
    order = get_order(session, order_id=order_id, jurisdiction_ids=scope.jurisdiction_ids)
    record_action(session, order=order, note=body.note, actor=scope.username or "")
    session.commit()
    return order_view(session, order, now=datetime.now(UTC))


@router.post("/api/piket/orders/{order_id}/done")
def post_order_done(
    order_id: int,
    body: schemas.OrderDoneIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """Close an order: done with its result, or cancelled."""
    order = get_order(session, order_id=order_id, jurisdiction_ids=scope.jurisdiction_ids)
    finish_order(
        session, order=order, result=body.result, status=body.status, actor=scope.username or ""
    )
    session.commit()
    return order_view(session, order, now=datetime.now(UTC))


# --- forwards to the fungsi terkait ---------------------------------------------------------


def _views(session: Session, forwards: list) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    incidents = incidents_by_id(session, {f.incident_id for f in forwards})
    return [forward_view(f, incidents.get(f.incident_id), now=now) for f in forwards]


@router.post("/api/incidents/{incident_id}/forwards", status_code=201)
def post_forwards(
    incident_id: int,
    body: schemas.ForwardIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> list[dict[str, Any]]:
    """Forward an incident to one or more functions (a crime's Reskrim forward is urgent)."""
    created = forward_incident(
        session,
        incident_id=incident_id,
        functions=body.functions,
        note=body.note,
        actor=scope.username or "",
        ack_timeout_s=settings.piket_forward_ack_timeout_s,
        urgent_ack_timeout_s=settings.piket_urgent_forward_ack_timeout_s,
        jurisdiction_ids=scope.jurisdiction_ids,
    )
    session.commit()
    return _views(session, created)


def _desk_function(session: Session, scope: Scope) -> str | None:
    if scope.role != "desk":
        return None
    return check_desk(scope.role, _user(session, scope).function_code)


@router.get("/api/forwards")
def get_forwards(
    incident_id: int | None = None,
    open: bool = False,  # noqa: A002
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict[str, Any]]:
    """Forwards in scope; a function's desk sees only those to its own function."""
    rows = list_forwards(
        session,
        jurisdiction_ids=scope.jurisdiction_ids,
        function_code=_desk_function(session, scope),
        incident_id=incident_id,
        open_only=open,
    )
    return _views(session, rows)


@router.post("/api/forwards/{forward_id}/acknowledge")
def post_forward_ack(
    forward_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict[str, Any]:
    """The function's desk takes the forward."""
    forward = get_forward(
        session,
        forward_id=forward_id,
        jurisdiction_ids=scope.jurisdiction_ids,
        function_code=_desk_function(session, scope),
        for_update=True,
    )
    acknowledge_forward(session, forward=forward, actor=scope.username or "")
    session.commit()
    return _views(session, [forward])[0]


@router.post("/api/forwards/{forward_id}/result")
def post_forward_result(
    forward_id: int,
    body: schemas.ForwardResultIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict[str, Any]:
    """The function's desk reports back what it did."""
    forward = get_forward(
        session,
        forward_id=forward_id,
        jurisdiction_ids=scope.jurisdiction_ids,
        function_code=_desk_function(session, scope),
        for_update=True,
    )
    report_forward_result(session, forward=forward, result=body.result, actor=scope.username or "")
    session.commit()
    return _views(session, [forward])[0]


@router.get("/api/incidents/{incident_id}/eido")
def get_eido(
    incident_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict[str, Any]:
    """The incident as a NENA EIDO JSON document; a desk gets it for incidents forwarded to it."""
    from dispatch.intake import get_incident
    from piket.eido import incident_eido

    desk = _desk_function(session, scope)
    if desk is not None and not list_forwards(
        session,
        jurisdiction_ids=scope.jurisdiction_ids,
        function_code=desk,
        incident_id=incident_id,
    ):
        raise NotFound(
            f"laporan {incident_id} tidak diteruskan ke fungsi Anda", field="incident_id"
        )
    jurisdiction_ids = None if desk is not None else scope.jurisdiction_ids
    incident = get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    return incident_eido(session, incident)


# --- the daily report -----------------------------------------------------------------------


def _report_date(session: Session, settings: Settings, centre, value: date | None) -> date:  # noqa: ANN001
    if value is not None:
        return value
    from jurisdictions.service import effective_timezone
    from piket.clock import current_report_date, parse_clock

    zone_name = effective_timezone(session, jurisdiction_id=centre.id)
    day_start = parse_clock(settings.piket_day_start, field="piket_day_start")
    return current_report_date(datetime.now(UTC), zone_name, due=day_start)


@router.get("/api/reports/daily")
def get_daily_report(
    report_date: date | None = Query(None, alias="date"),
    center: int | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict[str, Any]:
    """The report's figures as JSON (the archived one; made now if it was never made)."""
    centre = _center(session, scope, center)
    day = _report_date(session, settings, centre, report_date)
    report = get_report(session, center_id=centre.id, report_date=day)
    if report is None or report.signed_at is None:
        report = generate_report(
            session,
            settings,
            center=centre,
            report_date=day,
            actor=scope.username or "",
            with_pdf=False,
        )
        session.commit()
    return report_view(report)


@router.get("/api/reports/daily.pdf", **media.PDF)
def get_daily_pdf(
    report_date: date | None = Query(None, alias="date"),
    center: int | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The report as a PDF (remade while unsigned, the archived one once signed)."""
    centre = _center(session, scope, center)
    day = _report_date(session, settings, centre, report_date)
    report = generate_report(
        session, settings, center=centre, report_date=day, actor=scope.username or ""
    )
    session.commit()
    name = f"laporan-harian-{centre.code}-{day.isoformat()}.pdf"
    return Response(
        report.pdf or b"",
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.post("/api/reports/daily/sign")
def post_sign(
    body: schemas.ReportSignIn,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict[str, Any]:
    """The Perwira Piket signs the report of a date; it is frozen from then on."""
    centre = _center(session, scope, body.center_id)
    report = sign_report(
        session, settings, center=centre, report_date=body.report_date, actor=scope.username or ""
    )
    session.commit()
    return report_view(report)


@router.get("/api/reports")
def get_reports(
    session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> list[dict[str, Any]]:
    """The archive of daily reports in scope (unsigned past due are flagged), newest first."""
    now = datetime.now(UTC)
    return [
        {
            key: value
            for key, value in report_view(r, now=now).items()
            if key
            in (
                "id",
                "center",
                "report_date",
                "due_at",
                "generated_at",
                "signed_at",
                "signed_by",
                "flagged_at",
                "unsigned_past_due",
                "calls",
            )
        }
        for r in list_reports(session, jurisdiction_ids=scope.jurisdiction_ids)
    ]


# --- pages ----------------------------------------------------------------------------------


def _piket_page_route(page: str) -> None:
    from fastapi.responses import HTMLResponse

    from webmap.piket_pages import render_piket_page

    def page_view() -> HTMLResponse:
        return HTMLResponse(render_piket_page(page), headers={"Cache-Control": "no-cache"})

    page_view.__doc__ = f"The {page} page (HTML; its data comes from the JSON API)."
    router.add_api_route(
        f"/{page}", page_view, methods=["GET"], name=f"page_{page}", include_in_schema=False
    )


for _page in ("piket", "fungsi", "direktur"):
    _piket_page_route(_page)
