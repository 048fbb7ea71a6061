"""SPKT routes: the desk, Sat Reskrim's gelar awal, documents, follow-up views, public SP2HP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from api import media
from api.deps import AccessDenied, Scope, client_ip, get_scope, get_session, get_settings_dep
from api.models import User
from core.errors import Forbidden, NotFound
from core.settings import Settings
from spkt import schemas
from spkt.access import Actor, audit_personal_view, may_see_personal
from spkt.accountability import accountability_pdf, weekly_accountability
from spkt.casework import (
    close_report,
    get_report,
    list_reports,
    record_assessment,
    record_progress,
    send_to_consultation,
)
from spkt.documents import (
    correct_document,
    get_document,
    issue_lost_item_letter,
    issue_visum_request,
)
from spkt.evidence import add_attachment, attachment_chunks, get_attachment
from spkt.followup import aging, set_official, spkt_signers
from spkt.laporan_polisi import number_laporan_polisi, pending_request, request_laporan_polisi
from spkt.render import document_pdf
from spkt.reports import receive_report
from spkt.settlement import incident_settlement
from spkt.sp2hp import LookupRateLimited, public_progress
from spkt.views import document_view, event_view, report_detail, report_summary
from webmap.spkt_pages import render_desk_page, render_sp2hp_page

router = APIRouter(tags=["spkt"])


def actor_of(session: Session, scope: Scope) -> Actor:
    """The acting user with their own jurisdiction and (for a desk) function."""
    user = session.get(User, scope.user_id) if scope.user_id is not None else None
    return Actor(
        username=scope.username or "system",
        role=scope.role,
        user_id=scope.user_id,
        jurisdiction_id=user.jurisdiction_id if user else None,
        scope_ids=scope.jurisdiction_ids,
        function_code=user.function_code if user else None,
    )


def _report(session: Session, report_id: int, scope: Scope, *, lock: bool = True):  # noqa: ANN202
    return get_report(session, report_id=report_id, scope_ids=scope.jurisdiction_ids, lock=lock)


def _detail(session: Session, report, actor: Actor) -> dict:  # noqa: ANN001
    detail = report_detail(session, report=report, actor=actor)
    session.commit()  # the audit row of a personal-data view is kept
    return detail


@router.post("/api/spkt/reports", status_code=201)
def post_report(
    body: schemas.ReportCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Receive a report at the desk (with incident_id when it comes from 110); numbered at once."""
    actor = actor_of(session, scope)
    report = receive_report(session, data=body, actor=actor)
    session.commit()  # the unit's number counter is free again before the answer is built
    return _detail(session, report, actor)


@router.get("/api/spkt/reports")
def get_reports(
    status: str | None = Query(None, max_length=20),
    open: bool = False,  # noqa: A002
    limit: int = Query(200, ge=1, le=1000),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """Reports in scope, newest first (no personal data)."""
    rows = list_reports(
        session, scope_ids=scope.jurisdiction_ids, status=status, open_only=open, limit=limit
    )
    return [report_summary(r) for r in rows]


@router.get("/api/spkt/reports/{report_id}")
def get_report_detail(
    report_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict:
    """One report: personal data only for the desk and the case's investigators (audited)."""
    return _detail(
        session, _report(session, report_id, scope, lock=False), actor_of(session, scope)
    )


@router.get("/api/spkt/reports/{report_id}/events")
def get_report_events(
    report_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> list[dict]:
    """The report's log: who did what and when."""
    from spkt.events import list_events

    report = _report(session, report_id, scope, lock=False)
    return [event_view(e) for e in list_events(session, report_id=report.id)]


@router.post("/api/spkt/reports/{report_id}/consultation")
def post_consultation(
    report_id: int,
    body: schemas.ConsultationRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Send a general-crime report to the Sat Reskrim desk for the gelar awal."""
    actor = actor_of(session, scope)
    report = _report(session, report_id, scope)
    send_to_consultation(
        session, report=report, actor=actor, note=body.note, investigator=body.investigator_username
    )
    return _detail(session, report, actor)


@router.post("/api/spkt/reports/{report_id}/assessment")
def post_assessment(
    report_id: int,
    body: schemas.AssessmentCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Sat Reskrim's assessment: a crime or not, the articles, its recommendation."""
    actor = actor_of(session, scope)
    report = _report(session, report_id, scope)
    record_assessment(session, report=report, actor=actor, data=body)
    return _detail(session, report, actor)


@router.post("/api/spkt/reports/{report_id}/laporan-polisi", status_code=201)
def post_laporan_polisi(
    report_id: int,
    body: schemas.LaporanPolisiCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Issue the Laporan Polisi (model A or B) and its STTLP; answers with the LP's number."""
    actor = actor_of(session, scope)
    report = _report(session, report_id, scope)
    # Two commits (spkt/laporan_polisi.py): the LP without its number, then the number, so
    # the unit's numbering lock is held for one statement and its commit only. A retry after
    # a failure between the two finds the pending LP and only numbers it.
    request = pending_request(session, report_id=report.id)
    if request is None:
        request = request_laporan_polisi(session, report=report, data=body, actor=actor)
        session.commit()
    lp, sttlp = number_laporan_polisi(session, request=request)
    session.commit()
    return {
        "number": lp.number,
        "model": lp.model,
        "report_id": report.id,
        "laporan_polisi": document_view(lp),
        "sttlp": document_view(sttlp),
    }


@router.post("/api/spkt/reports/{report_id}/lost-item-letter", status_code=201)
def post_lost_item_letter(
    report_id: int,
    body: schemas.LostItemLetterCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Issue the Surat Keterangan Tanda Lapor Kehilangan (free of charge)."""
    report = _report(session, report_id, scope)
    letter = issue_lost_item_letter(
        session, report=report, signer=body.signer, actor=actor_of(session, scope)
    )
    session.commit()
    return document_view(letter)


@router.post("/api/spkt/reports/{report_id}/visum-request", status_code=201)
def post_visum_request(
    report_id: int,
    body: schemas.VisumCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Issue the covering letter asking a hospital for a visum et repertum."""
    report = _report(session, report_id, scope)
    letter = issue_visum_request(session, report=report, data=body, actor=actor_of(session, scope))
    session.commit()
    return document_view(letter)


@router.post("/api/spkt/reports/{report_id}/close")
def post_close(
    report_id: int,
    body: schemas.CloseReportRequest,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Close a report without an LP, with the reason."""
    actor = actor_of(session, scope)
    report = _report(session, report_id, scope)
    close_report(session, report=report, actor=actor, reason=body.reason)
    return _detail(session, report, actor)


@router.post("/api/spkt/reports/{report_id}/sp2hp")
def post_sp2hp(
    report_id: int,
    body: schemas.ProgressCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """An investigator of the case writes an SP2HP; the reporter reads it on /sp2hp."""
    actor = actor_of(session, scope)
    report = _report(session, report_id, scope)
    record_progress(session, report=report, actor=actor, data=body)
    return _detail(session, report, actor)


@router.post("/api/spkt/reports/{report_id}/attachments", status_code=201)
def post_attachment(
    report_id: int,
    file: Annotated[UploadFile, File(description="foto, pindaian atau PDF bukti")],
    description: Annotated[str, Form(max_length=500)] = "",
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
    settings: Settings = Depends(get_settings_dep),
) -> dict:
    """Attach an evidence file to a report (spooled to disk by the form parser, stored in
    chunks; api/body_limit.py refuses a larger body before it is read)."""
    report = _report(session, report_id, scope)
    row = add_attachment(
        session,
        report=report,
        actor=actor_of(session, scope),
        filename=file.filename or "",
        media_type=(file.content_type or "").split(";")[0].strip(),
        stream=file.file,
        max_bytes=settings.spkt_attachment_max_bytes,
        description=description,
    )
    session.commit()
    return {"id": row.id, "filename": row.filename, "sha256": row.sha256, "size": row.size_bytes}


def _personal(session: Session, scope: Scope, report_id: int, what: str) -> None:
    """Files of a report carry personal data: the desk and investigators only, audited."""
    report = _report(session, report_id, scope, lock=False)
    actor = actor_of(session, scope)
    if not may_see_personal(session, report=report, actor=actor):
        raise Forbidden("dokumen ini hanya untuk SPKT dan penyidik perkara", field="report_id")
    audit_personal_view(session, report=report, actor=actor, what=what)
    session.commit()


@router.get("/api/spkt/attachments/{attachment_id}", **media.ANY_FILE)
def get_attachment_file(
    attachment_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> Response:
    """An evidence file, as it was attached, streamed a stored chunk at a time."""
    row = get_attachment(session, attachment_id=attachment_id)
    _personal(session, scope, row.report_id, f"attachment:{row.id}")
    headers = {"X-Content-SHA256": row.sha256, "Content-Length": str(row.size_bytes)}
    chunks = attachment_chunks(session, attachment_id=row.id)
    return StreamingResponse(chunks, media_type=row.media_type, headers=headers)


@router.get("/api/spkt/documents/{document_id}/pdf", **media.PDF)
def get_document_pdf(
    document_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> Response:
    """The PDF of an issued document (reprint: the same document as issued)."""
    document = get_document(session, document_id=document_id, scope_ids=scope.jurisdiction_ids)
    _personal(session, scope, document.report_id, f"document:{document.number}")
    name = document.number.replace("/", "-").replace(" ", "_")
    headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
    return Response(document_pdf(document), media_type="application/pdf", headers=headers)


@router.post("/api/spkt/documents/{document_id}/correction", status_code=201)
def post_correction(
    document_id: int,
    body: schemas.CorrectionCreate,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """Correct a document: a new one with a new number that cites the old one."""
    document = get_document(session, document_id=document_id, scope_ids=scope.jurisdiction_ids)
    new = correct_document(session, document=document, data=body, actor=actor_of(session, scope))
    session.commit()
    return document_view(new)


@router.get("/api/spkt/incidents/{incident_id}/settlement")
def get_incident_settlement(
    incident_id: int, session: Session = Depends(get_session), scope: Scope = Depends(get_scope)
) -> dict:
    """Where a 110 report stands: an LP (number), closed, forwarded and answered, or open."""
    return incident_settlement(
        session, incident_id=incident_id, jurisdiction_ids=scope.jurisdiction_ids
    )


@router.get("/api/spkt/aging")
def get_aging(session: Session = Depends(get_session), scope: Scope = Depends(get_scope)) -> dict:
    """Per Polres and Polsek: open 110 and SPKT reports by age, overdue items, the official."""
    now = datetime.now(UTC)
    views = aging(session, scope_ids=scope.jurisdiction_ids, now=now)
    return {"as_of": now, "rows": [vars(view) for view in views]}


@router.get("/api/spkt/accountability")
def get_accountability(
    week: date | None = Query(None, description="any day of the week (default: this week)"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> dict:
    """The weekly accountability report (JSON)."""
    day = week or datetime.now(UTC).date()
    return weekly_accountability(session, scope_ids=scope.jurisdiction_ids, week_of=day)


@router.get("/api/spkt/accountability/pdf", **media.PDF)
def get_accountability_pdf(
    week: date | None = Query(None, description="any day of the week (default: this week)"),
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> Response:
    """The weekly accountability report (PDF)."""
    day = week or datetime.now(UTC).date()
    report = weekly_accountability(session, scope_ids=scope.jurisdiction_ids, week_of=day)
    headers = {"Content-Disposition": f'inline; filename="akuntabilitas-{day.isoformat()}.pdf"'}
    return Response(accountability_pdf(report), media_type="application/pdf", headers=headers)


@router.post("/api/spkt/officials", status_code=201)
def post_official(body: schemas.OfficialSet, session: Session = Depends(get_session)) -> dict:
    """Record a jurisdiction's accountable official (Kapolda, Kapolres, Kapolsek)."""
    row = set_official(session, **body.model_dump())
    session.commit()
    return {"id": row.id, "jurisdiction_id": row.jurisdiction_id, "position": row.position,
            "name": row.name, "rank": row.rank, "nrp": row.nrp, "since": row.since}  # fmt: skip


@router.get("/api/spkt/signers")
def get_signers(
    jurisdiction_id: int | None = None,
    session: Session = Depends(get_session),
    scope: Scope = Depends(get_scope),
) -> list[dict]:
    """The SPKT officials who sign the desk's documents (KA SPKT, KA SIAGA I-III)."""
    target = jurisdiction_id or actor_of(session, scope).jurisdiction_id
    if target is None:
        return []
    if scope.jurisdiction_ids is not None and target not in scope.jurisdiction_ids:
        raise NotFound(f"wilayah {target} tidak ditemukan", field="jurisdiction_id")
    return spkt_signers(session, jurisdiction_id=target)


@router.post("/api/sp2hp")
def post_sp2hp_lookup(
    body: schemas.ProgressQuery, request: Request, session: Session = Depends(get_session)
) -> dict:
    """Public: the state of a report by LP number, reporter's name and date of birth."""
    try:
        answer = public_progress(session, query=body, client_ip=client_ip(request))
    except LookupRateLimited as exc:
        raise AccessDenied(429, exc.message, retry_after_s=exc.retry_after_s) from exc
    session.commit()
    if answer is None:
        raise NotFound("tidak ada laporan yang cocok dengan data tersebut", field=None)
    return answer


@router.get("/spkt", response_class=HTMLResponse)
def spkt_page(settings: Settings = Depends(get_settings_dep)) -> HTMLResponse:
    """The SPKT desk page (HTML; its data comes from the JSON API)."""
    return HTMLResponse(render_desk_page(settings), headers={"Cache-Control": "no-cache"})


@router.get("/sp2hp", response_class=HTMLResponse)
def sp2hp_page() -> HTMLResponse:
    """The public SP2HP page: a reporter asks for the progress of their report."""
    return HTMLResponse(render_sp2hp_page(), headers={"Cache-Control": "no-cache"})
