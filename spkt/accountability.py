"""The weekly accountability report: per Polres and Polsek, what is open, what passed its
deadline, and the official who answers for it; in the app (JSON) and as a PDF."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.pdf import render_pdf
from jurisdictions.timezones import FALLBACK_ZONE, zone_for
from spkt.content import long_date
from spkt.deadlines import AGING_BUCKETS
from spkt.followup import aging
from spkt.models import Report
from spkt.render import TEMPLATE_DIR, TEMPLATES

# A national report needs one calendar: weeks run Monday 00:00 to Monday 00:00 in the fallback
# zone (the capital's).
WEEK_ZONE = ZoneInfo(zone_for(FALLBACK_ZONE).iana)


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """The Monday-to-Monday week containing `day` (UTC instants)."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=WEEK_ZONE)
    return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)


def _counts(session: Session, column, start: datetime, end: datetime, scope) -> dict[int, int]:  # noqa: ANN001
    query = select(Report.jurisdiction_id, func.count()).where(column >= start, column < end)
    if scope is not None:
        query = query.where(Report.jurisdiction_id.in_(list(scope)))
    return {row[0]: row[1] for row in session.execute(query.group_by(Report.jurisdiction_id))}


def weekly_accountability(
    session: Session, *, scope_ids: Collection[int] | None, week_of: date
) -> dict:
    """The week's accountability rows, as of the end of the week (or now, if sooner)."""
    start, end = week_bounds(week_of)
    as_of = min(datetime.now(UTC), end)
    received = _counts(session, Report.received_at, start, end, scope_ids)
    settled = _counts(session, Report.settled_at, start, end, scope_ids)
    rows = []
    for view in aging(session, scope_ids=scope_ids, now=as_of):
        rows.append({
            "jurisdiction_id": view.jurisdiction_id,
            "name": view.name,
            "level": view.level,
            "parent_name": view.parent_name,
            "official": view.official,
            "open_count": view.open_count,
            "buckets": view.buckets,
            "overdue_count": len(view.overdue),
            "sp2hp_overdue_count": len(view.sp2hp_overdue),
            "received_in_week": received.get(view.jurisdiction_id, 0),
            "settled_in_week": settled.get(view.jurisdiction_id, 0),
            "overdue": view.overdue + view.sp2hp_overdue,
        })  # fmt: skip
    rows.sort(key=lambda r: (-(r["overdue_count"] + r["sp2hp_overdue_count"]), r["name"]))
    return {
        "week_start": start,
        "week_end": end,
        "as_of": as_of,
        "rows": rows,
        "totals": {
            key: sum(r[key] for r in rows)
            for key in ("open_count", "overdue_count", "sp2hp_overdue_count")
        },
    }


def accountability_pdf(report: dict) -> bytes:
    """The weekly accountability report as a PDF."""
    local = report["week_start"].astimezone(WEEK_ZONE).date()
    period = f"{long_date(local)} - {long_date(local + timedelta(days=6))}"
    html = TEMPLATES.get_template("accountability.html").render(
        r=report,
        period=period,
        as_of=report["as_of"].astimezone(WEEK_ZONE),
        bucket_labels=[label for label, _ in AGING_BUCKETS],
    )
    return render_pdf(html, base_dir=TEMPLATE_DIR)
