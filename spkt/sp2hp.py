"""The public SP2HP lookup: an LP number plus the reporter's name and date of birth answer
with the state of that report and nothing else; any mismatch answers exactly as a missing
number does. Failed lookups are audited and limited per client address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.audit import record_audit
from api.models import SecurityAudit
from core.errors import SiagaError
from spkt.events import list_events
from spkt.models import Document, Report
from spkt.numbering import issuing_unit
from spkt.schemas import ProgressQuery
from spkt.taxonomy import CASE_STAGES, STATUS_LABELS

LOOKUP_WINDOW = timedelta(minutes=15)
MAX_FAILED_LOOKUPS = 10
PUBLIC_ACTIONS = ("lp_terbit", "sp2hp")


class LookupRateLimited(SiagaError):
    """Too many failed SP2HP lookups from one client address."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _normal_name(name: str) -> str:
    return " ".join(name.casefold().split())


def _normal_number(number: str) -> str:
    return "/".join(part.strip() for part in " ".join(number.upper().split()).split("/"))


def _check_rate(session: Session, client_ip: str, now: datetime) -> None:
    count, oldest = session.execute(
        select(func.count(), func.min(SecurityAudit.at)).where(
            SecurityAudit.action == "sp2hp_lookup",
            SecurityAudit.decision == "deny",
            SecurityAudit.client_ip == client_ip,
            SecurityAudit.at > now - LOOKUP_WINDOW,
        )
    ).one()
    if count >= MAX_FAILED_LOOKUPS:
        retry = int((oldest + LOOKUP_WINDOW - now).total_seconds()) + 1
        raise LookupRateLimited(
            "terlalu banyak pencarian yang tidak cocok; coba lagi nanti",
            retry_after_s=max(retry, 1),
        )


def _matching_report(session: Session, query: ProgressQuery) -> Report | None:
    number = _normal_number(query.lp_number)
    report_id = session.scalar(
        select(Document.report_id).where(
            Document.kind == "laporan_polisi", func.upper(Document.number) == number
        )
    )
    report = session.get(Report, report_id) if report_id is not None else None
    if report is None or report.reporter_birth_date != query.birth_date:
        return None
    return report if _normal_name(report.reporter_name) == _normal_name(query.name) else None


def public_progress(session: Session, *, query: ProgressQuery, client_ip: str) -> dict | None:
    """The state of the named report, or None when anything does not match (audited)."""
    now = datetime.now(UTC)
    _check_rate(session, client_ip, now)
    report = _matching_report(session, query)
    record_audit(
        session,
        action="sp2hp_lookup",
        decision="allow" if report else "deny",
        reason="" if report else "no_match",
        client_ip=client_ip,
        detail={"report_id": report.id} if report else {},
    )
    if report is None:
        return None
    events = [
        e
        for e in list_events(session, report_id=report.id, public_only=True)
        if e.action in PUBLIC_ACTIONS
    ]
    stage = next((e.detail.get("stage") for e in reversed(events) if e.action == "sp2hp"), None)
    return {
        "lp_number": report.lp_number,
        "status": report.status,
        "status_label": STATUS_LABELS[report.status],
        "stage": stage,
        "stage_label": CASE_STAGES.get(stage) if stage else None,
        "timezone": issuing_unit(session, jurisdiction_id=report.jurisdiction_id).timezone,
        "notices": [{"at": e.at, "message": e.message} for e in events],
    }
