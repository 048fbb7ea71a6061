"""Reports as the API shows them: personal data only to the desk and the case's investigators
(each such view audited), masked for everyone else in scope."""

from __future__ import annotations

from datetime import UTC, datetime

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from spkt.access import MASK, Actor, audit_personal_view, may_see_personal
from spkt.casework import latest_assessment
from spkt.documents import list_documents
from spkt.events import list_events
from spkt.models import Assessment, Attachment, Document, Report
from spkt.taxonomy import DOCUMENT_TITLES, REPORT_KIND_LABELS, STATUS_LABELS


def report_summary(report: Report, *, now: datetime | None = None) -> dict:
    """The fields anyone allowed to see the report sees (no personal data)."""
    now = now or datetime.now(UTC)
    point = to_shape(report.geom)
    return {
        "id": report.id,
        "number": report.number,
        "kind": report.kind,
        "kind_label": REPORT_KIND_LABELS[report.kind],
        "status": report.status,
        "status_label": STATUS_LABELS[report.status],
        "source": report.source,
        "incident_id": report.incident_id,
        "jurisdiction_id": report.jurisdiction_id,
        "reporter_name": report.reporter_name,
        "category": report.category,
        "what": report.what,
        "occurred_at": report.occurred_at,
        "place": report.place,
        "lon": point.x,
        "lat": point.y,
        "received_at": report.received_at,
        "received_by": report.received_by,
        "due_at": report.due_at,
        "overdue": report.settled_at is None and report.due_at < now,
        "settled_at": report.settled_at,
        "settlement": report.settlement,
        "lp_number": report.lp_number,
        "next_sp2hp_due_at": report.next_sp2hp_due_at,
    }


def _reporter(report: Report, personal: bool) -> dict:
    def shown(value: object) -> object:
        return value if personal else MASK

    return {
        "kind": report.reporter_kind,
        "name": report.reporter_name,
        "nik": shown(report.reporter_nik),
        "birth_place": shown(report.reporter_birth_place),
        "birth_date": shown(report.reporter_birth_date),
        "address": shown(report.reporter_address),
        "phone": shown(report.reporter_phone),
        "occupation": report.reporter_occupation,
        "nrp": report.reporter_nrp,
    }


def _witnesses(report: Report, personal: bool) -> list[dict]:
    if personal:
        return list(report.witnesses or [])
    return [{**w, "phone": MASK, "address": MASK} for w in report.witnesses or []]


def document_view(document: Document) -> dict:
    return {
        "id": document.id,
        "kind": document.kind,
        "title": DOCUMENT_TITLES[document.kind],
        "model": document.model,
        "number": document.number,
        "issued_at": document.issued_at,
        "issued_by": document.issued_by,
        "signer": document.signer,
        "corrects_id": document.corrects_id,
        "pdf_url": f"/api/spkt/documents/{document.id}/pdf",
    }


def _assessment_view(row: Assessment | None) -> dict | None:
    if row is None:
        return None
    return {
        "at": row.at,
        "assessed_by": row.assessed_by,
        "is_crime": row.is_crime,
        "articles": row.articles,
        "recommendation": row.recommendation,
    }


def _attachments(session: Session, report_id: int) -> list[dict]:
    query = select(
        Attachment.id, Attachment.filename, Attachment.media_type, Attachment.size_bytes,
        Attachment.sha256, Attachment.description, Attachment.uploaded_by, Attachment.uploaded_at,
    ).where(Attachment.report_id == report_id).order_by(Attachment.id)  # fmt: skip
    return [dict(row._mapping) for row in session.execute(query)]


def report_detail(session: Session, *, report: Report, actor: Actor) -> dict:
    """Everything about a report the actor may see; a view of personal data is audited."""
    personal = may_see_personal(session, report=report, actor=actor)
    if personal:
        audit_personal_view(session, report=report, actor=actor, what="report_detail")
    return {
        **report_summary(report),
        "personal_data_visible": personal,
        "reporter": _reporter(report, personal),
        "involved": report.involved,
        "witnesses": _witnesses(report, personal),
        "lost_items": report.lost_items,
        "assessment": _assessment_view(latest_assessment(session, report_id=report.id)),
        "documents": [document_view(d) for d in list_documents(session, report_id=report.id)],
        "attachments": _attachments(session, report.id),
        "events": [event_view(e) for e in list_events(session, report_id=report.id)],
    }


def event_view(event) -> dict:  # noqa: ANN001
    return {
        "at": event.at,
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "message": event.message,
        "public": event.public,
    }
