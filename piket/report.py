"""The daily report of a command centre to the Direktur: figures, archive, sign-off, flags.

The report dated D covers the piket day before D's morning hand-over (settings.piket_day_start,
local time of the centre) and is due at settings.piket_report_due on D. It is made on demand
at any time, and by the piket worker at the due time if nobody made it; once the Perwira
Piket signs it, it is frozen. A report still unsigned at its due time is flagged.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from core.settings import Settings
from jurisdictions import timezones
from jurisdictions.models import Jurisdiction
from jurisdictions.service import effective_timezone
from piket.clock import current_report_date, parse_clock, report_period
from piket.journal import load_sql
from piket.models import DailyReport, Shift


def report_window(
    session: Session, settings: Settings, *, center: Jurisdiction, report_date: date
) -> dict[str, Any]:
    """The period, due time and time zone of a centre's report for a date."""
    zone_name = effective_timezone(session, jurisdiction_id=center.id)
    start, end, due = report_period(
        report_date,
        zone_name,
        day_start=parse_clock(settings.piket_day_start, field="piket_day_start"),
        due=parse_clock(settings.piket_report_due, field="piket_report_due"),
    )
    return {"timezone": timezones.zone_name(zone_name), "start": start, "end": end, "due": due}


def compute_figures(
    session: Session, settings: Settings, *, center: Jurisdiction, report_date: date
) -> dict[str, Any]:
    """The report's figures, computed from the incidents, forwards, orders and shifts."""
    window = report_window(session, settings, center=center, report_date=report_date)
    figures = session.execute(
        text(load_sql("daily_report.sql")),
        {"center_id": center.id, "start": window["start"], "end": window["end"]},
    ).scalar_one()
    response = figures["response"]
    with_target = response["with_target"]
    response["within_target_share"] = (
        round(response["within_target"] / with_target, 4) if with_target else None
    )
    return {
        "center": {
            "id": center.id,
            "code": center.code,
            "name": center.name,
            "level": center.level,
        },
        "report_date": report_date.isoformat(),
        "timezone": window["timezone"],
        "period_start": window["start"].isoformat(),
        "period_end": window["end"].isoformat(),
        "due_at": window["due"].isoformat(),
        **figures,
    }


def get_report(session: Session, *, center_id: int, report_date: date) -> DailyReport | None:
    """The archived report of a centre for a date, if one was made."""
    return session.scalar(
        select(DailyReport).where(
            DailyReport.center_id == center_id, DailyReport.report_date == report_date
        )
    )


def generate_report(
    session: Session,
    settings: Settings,
    *,
    center: Jurisdiction,
    report_date: date,
    actor: str,
    with_pdf: bool = True,
    now: datetime | None = None,
) -> DailyReport:
    """Make (or remake, while unsigned) and archive the report; a signed one stays as it is."""
    now = now or datetime.now(UTC)
    report = get_report(session, center_id=center.id, report_date=report_date)
    if report is not None and report.signed_at is not None:
        return report
    figures = compute_figures(session, settings, center=center, report_date=report_date)
    if report is None:
        report = DailyReport(center_id=center.id, report_date=report_date)
        session.add(report)
    report.period_start = datetime.fromisoformat(figures["period_start"])
    report.period_end = datetime.fromisoformat(figures["period_end"])
    report.due_at = datetime.fromisoformat(figures["due_at"])
    report.generated_at, report.generated_by, report.figures = now, actor, figures
    if with_pdf:
        from piket.report_pdf import report_pdf

        report.pdf = report_pdf(report_view(report, now=now))
    session.flush()
    return report


def sign_report(
    session: Session,
    settings: Settings,
    *,
    center: Jurisdiction,
    report_date: date,
    actor: str,
    now: datetime | None = None,
) -> DailyReport:
    """The Perwira Piket signs the report: it is regenerated one last time, then frozen."""
    now = now or datetime.now(UTC)
    report = get_report(session, center_id=center.id, report_date=report_date)
    if report is not None and report.signed_at is not None:
        raise Conflict(f"laporan {report_date} sudah ditandatangani", field="report_date")
    window = report_window(session, settings, center=center, report_date=report_date)
    if now < window["end"]:
        raise Conflict(
            "periode laporan belum berakhir; belum dapat ditandatangani", field="report_date"
        )
    report = generate_report(
        session,
        settings,
        center=center,
        report_date=report_date,
        actor=actor,
        with_pdf=False,
        now=now,
    )
    report.signed_at, report.signed_by = now, actor
    from piket.report_pdf import report_pdf

    report.pdf = report_pdf(report_view(report, now=now))
    return report


def report_view(report: DailyReport, *, now: datetime | None = None) -> dict[str, Any]:
    """The report as the API and the pages show it (figures plus archive and sign-off state)."""
    now = now or datetime.now(UTC)
    late = report.signed_at is None and now >= report.due_at
    return {
        **report.figures,
        "id": report.id,
        "generated_at": report.generated_at.isoformat(),
        "generated_by": report.generated_by,
        "signed_at": report.signed_at.isoformat() if report.signed_at else None,
        "signed_by": report.signed_by,
        "flagged_at": report.flagged_at.isoformat() if report.flagged_at else None,
        "unsigned_past_due": late,
        "has_pdf": report.pdf is not None,
    }


def list_reports(
    session: Session, *, jurisdiction_ids: Collection[int] | None, limit: int = 60
) -> list[DailyReport]:
    """Archived reports in scope, newest first."""
    query = select(DailyReport)
    if jurisdiction_ids is not None:
        query = query.where(DailyReport.center_id.in_(jurisdiction_ids))
    order = (DailyReport.report_date.desc(), DailyReport.center_id)
    return list(session.scalars(query.order_by(*order).limit(limit)))


def centers_with_shifts(session: Session) -> list[Jurisdiction]:
    """Command centres that keep piket in the platform (at least one shift ever)."""
    ids = select(Shift.center_id).distinct()
    return list(session.scalars(select(Jurisdiction).where(Jurisdiction.id.in_(ids))))


def run_due_reports(
    session: Session, settings: Settings, *, now: datetime | None = None
) -> dict[str, list]:
    """Make every report whose due time has come and that nobody made; flag unsigned ones."""
    now = now or datetime.now(UTC)
    due = parse_clock(settings.piket_report_due, field="piket_report_due")
    made, flagged = [], []
    for center in centers_with_shifts(session):
        zone_name = effective_timezone(session, jurisdiction_id=center.id)
        report_date = current_report_date(now, zone_name, due=due)
        report = get_report(session, center_id=center.id, report_date=report_date)
        if report is None:
            report = generate_report(
                session, settings, center=center, report_date=report_date, actor="system", now=now
            )
            made.append((center.code, report_date.isoformat()))
        if report.signed_at is None and report.flagged_at is None and now >= report.due_at:
            report.flagged_at = now
            flagged.append((center.code, report_date.isoformat()))
    return {"made": made, "flagged": flagged}


def require_report(session: Session, *, center_id: int, report_date: date) -> DailyReport:
    """The archived report (NotFound if it was never made)."""
    report = get_report(session, center_id=center_id, report_date=report_date)
    if report is None:
        raise NotFound(f"laporan harian {report_date} belum dibuat", field="date")
    return report
