"""A report's way to its end: consultation with Sat Reskrim, assessment, closing, SP2HP."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import User
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.log import append_log
from spkt.access import Actor, require_desk, require_reskrim
from spkt.deadlines import SP2HP_INTERVAL
from spkt.events import append_event
from spkt.models import SETTLED_STATUSES, Assessment, Investigator, Report
from spkt.schemas import AssessmentCreate, ProgressCreate
from spkt.taxonomy import CASE_STAGES, RECOMMENDATIONS


def get_report(
    session: Session, *, report_id: int, scope_ids: Collection[int] | None, lock: bool = False
) -> Report:
    """One report in the caller's scope (NotFound outside it)."""
    report = session.get(Report, report_id, with_for_update=lock)
    if report is None or (scope_ids is not None and report.jurisdiction_id not in scope_ids):
        raise NotFound(f"laporan SPKT {report_id} tidak ditemukan", field="report_id")
    return report


def list_reports(
    session: Session,
    *,
    scope_ids: Collection[int] | None,
    status: str | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[Report]:
    """Reports in scope, newest first."""
    query = select(Report).order_by(Report.received_at.desc(), Report.id.desc()).limit(limit)
    if scope_ids is not None:
        query = query.where(Report.jurisdiction_id.in_(list(scope_ids)))
    if status is not None:
        query = query.where(Report.status == status)
    if open_only:
        query = query.where(Report.settled_at.is_(None))
    return list(session.scalars(query))


def log_both(
    session: Session, report: Report, actor: Actor, action: str, message: str, **kw
) -> None:  # noqa: ANN003
    """One entry in the report's log and, for a 110 report, the same in the incident's."""
    append_event(
        session,
        report_id=report.id,
        actor=actor.username,
        role=actor.role,
        action=action,
        message=message,
        **kw,
    )
    if report.incident_id is not None:
        detail = {"spkt_report_id": report.id, **(kw.get("detail") or {})}
        at = kw.get("at")
        append_log(
            session,
            incident_id=report.incident_id,
            actor=actor.username,
            action=f"spkt_{action}",
            message=message,
            detail=detail,
            at=at,
        )


def _require_open(report: Report) -> None:
    if report.status in SETTLED_STATUSES:
        raise Conflict(f"laporan {report.number} sudah {report.status}", field="status")


def add_investigator(session: Session, *, report: Report, user: User, by: str) -> None:
    """Make a Sat Reskrim desk user an investigator of the report's case (idempotent)."""
    if user.role != "desk" or user.function_code != "reskrim":
        raise InvalidInput(
            "penyidik harus pengguna meja Sat Reskrim", field="investigator_username"
        )
    if session.get(Investigator, (report.id, user.id)) is None:
        session.add(Investigator(report_id=report.id, user_id=user.id, assigned_by=by))
        session.flush()


def send_to_consultation(
    session: Session, *, report: Report, actor: Actor, note: str, investigator: str | None
) -> Report:
    """A general-crime report goes to the Sat Reskrim desk for the gelar awal."""
    require_desk(actor)
    _require_open(report)
    if report.kind != "pidana":
        raise Conflict("hanya laporan tindak pidana yang dikonsultasikan", field="kind")
    if investigator:
        user = session.scalar(select(User).where(User.username == investigator.lower()))
        if user is None:
            raise NotFound(f"pengguna {investigator} tidak ada", field="investigator_username")
        add_investigator(session, report=report, user=user, by=actor.username)
    report.status = "konsultasi"
    text = "Dikonsultasikan dengan Sat Reskrim (gelar awal)" + (f": {note}" if note else "")
    log_both(session, report, actor, "konsultasi", text, public=True)
    return report


def record_assessment(
    session: Session, *, report: Report, actor: Actor, data: AssessmentCreate
) -> Assessment:
    """Sat Reskrim records its assessment; the assessor becomes an investigator of the case."""
    require_reskrim(actor)
    if report.status not in ("konsultasi", "dinilai"):
        raise Conflict("laporan belum dikonsultasikan dengan Sat Reskrim", field="status")
    if data.recommendation == "terbitkan_lp" and not data.is_crime:
        raise InvalidInput("LP hanya direkomendasikan untuk tindak pidana", field="recommendation")
    assessment = Assessment(
        report_id=report.id,
        assessed_by=actor.username,
        is_crime=data.is_crime,
        articles=data.articles,
        recommendation=data.recommendation,
        at=datetime.now(UTC),
    )
    session.add(assessment)
    if actor.user_id is not None and actor.role == "desk":
        user = session.get(User, actor.user_id)
        add_investigator(session, report=report, user=user, by=actor.username)
    report.status = "dinilai"
    crime = "tindak pidana" if data.is_crime else "bukan tindak pidana"
    articles = f" ({data.articles})" if data.articles else ""
    message = f"Penilaian Sat Reskrim: {crime}{articles}; {RECOMMENDATIONS[data.recommendation]}"
    detail = {"is_crime": data.is_crime, "articles": data.articles, "note": data.note}
    log_both(session, report, actor, "dinilai", message, detail=detail)
    session.flush()
    return assessment


def latest_assessment(session: Session, *, report_id: int) -> Assessment | None:
    query = select(Assessment).where(Assessment.report_id == report_id)
    return session.scalars(query.order_by(Assessment.at.desc(), Assessment.id.desc())).first()


def close_report(session: Session, *, report: Report, actor: Actor, reason: str) -> Report:
    """Close a report without an LP, with the reason (both in the log)."""
    require_desk(actor)
    _require_open(report)
    now = datetime.now(UTC)
    report.status, report.settled_at, report.settlement = "ditutup", now, reason
    log_both(session, report, actor, "ditutup", f"Laporan ditutup: {reason}", public=True, at=now)
    return report


def record_progress(
    session: Session, *, report: Report, actor: Actor, data: ProgressCreate
) -> Report:
    """An SP2HP to the reporter on an LP's case; the next one falls due SP2HP_INTERVAL later."""
    require_reskrim(actor)
    if report.lp_number is None:
        raise Conflict("SP2HP hanya untuk laporan yang sudah menjadi LP", field="status")
    from spkt.access import is_investigator

    if actor.role != "admin" and not is_investigator(session, report_id=report.id, actor=actor):
        raise Forbidden("hanya penyidik perkara ini yang menulis SP2HP", field="report_id")
    now = datetime.now(UTC)
    report.next_sp2hp_due_at = now + SP2HP_INTERVAL
    message = f"SP2HP ({CASE_STAGES[data.stage]}): {data.notice}"
    detail = {"stage": data.stage}
    log_both(session, report, actor, "sp2hp", message, public=True, detail=detail, at=now)
    return report
