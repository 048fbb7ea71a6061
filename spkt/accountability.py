"""The weekly accountability report: per Polres and Polsek, what is open, what passed its
deadline, and the official who answers for it; in the app (JSON) and as a PDF.

Each jurisdiction's week is its own local week (Monday 00:00 to Monday 00:00 in WIB, WITA or
WIT, jurisdictions/timezones.py): a report received at 00:30 WIT on Monday belongs to that
Monday's week in Papua, though it is still Sunday in Jakarta.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.pdf import render_pdf
from jurisdictions.service import chains_for
from jurisdictions.timezones import FALLBACK_ZONE, ZONES, zone_for, zone_name
from spkt.content import long_date
from spkt.deadlines import AGING_BUCKETS
from spkt.followup import JurisdictionAging, aging
from spkt.models import Report
from spkt.render import TEMPLATE_DIR, TEMPLATES


def week_bounds(day: date, zone: str | None = None) -> tuple[datetime, datetime]:
    """The Monday-to-Monday week containing `day` in the zone's local time (UTC instants)."""
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=zone_for(zone).tzinfo)
    return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)


def _counts(session: Session, column, start: datetime, end: datetime, ids) -> dict[int, int]:  # noqa: ANN001
    query = select(Report.jurisdiction_id, func.count()).where(
        column >= start, column < end, Report.jurisdiction_id.in_(list(ids))
    )
    return {row[0]: row[1] for row in session.execute(query.group_by(Report.jurisdiction_id))}


def _row(view: JurisdictionAging, zone: str, week: dict, received: dict, settled: dict) -> dict:
    return {
        "jurisdiction_id": view.jurisdiction_id,
        "name": view.name,
        "level": view.level,
        "parent_name": view.parent_name,
        "official": view.official,
        "timezone": zone,
        "week_start": week["start"],
        "week_end": week["end"],
        "as_of": week["as_of"],
        "open_count": view.open_count,
        "buckets": view.buckets,
        "overdue_count": len(view.overdue),
        "sp2hp_overdue_count": len(view.sp2hp_overdue),
        "received_in_week": received.get(view.jurisdiction_id, 0),
        "settled_in_week": settled.get(view.jurisdiction_id, 0),
        "overdue": view.overdue + view.sp2hp_overdue,
    }


def _zone_rows(
    session: Session, zone: str, week: dict, scope_ids: Collection[int] | None
) -> list[dict]:
    """Rows of the jurisdictions in `zone`, as of the end of that zone's week."""
    views = aging(session, scope_ids=scope_ids, now=week["as_of"])
    chains = chains_for(session, ids=[v.jurisdiction_id for v in views])
    views = [v for v in views if zone_name(chains[v.jurisdiction_id].timezone) == zone]
    ids = [v.jurisdiction_id for v in views]
    if not ids:
        return []
    received = _counts(session, Report.received_at, week["start"], week["end"], ids)
    settled = _counts(session, Report.settled_at, week["start"], week["end"], ids)
    return [_row(view, zone, week, received, settled) for view in views]


def weekly_accountability(
    session: Session, *, scope_ids: Collection[int] | None, week_of: date
) -> dict:
    """The week's accountability rows, each as of the end of its local week (or now)."""
    now = datetime.now(UTC)
    weeks = {}
    for zone in ZONES:
        start, end = week_bounds(week_of, zone)
        weeks[zone] = {"start": start, "end": end, "as_of": min(now, end)}
    rows = [row for zone in ZONES for row in _zone_rows(session, zone, weeks[zone], scope_ids)]
    rows.sort(key=lambda r: (-(r["overdue_count"] + r["sp2hp_overdue_count"]), r["name"]))
    national = weeks[FALLBACK_ZONE]  # the national calendar heads the report
    return {
        "week_start": national["start"],
        "week_end": national["end"],
        "as_of": national["as_of"],
        "weeks": weeks,
        "rows": rows,
        "totals": {
            key: sum(r[key] for r in rows)
            for key in ("open_count", "overdue_count", "sp2hp_overdue_count")
        },
    }


def accountability_pdf(report: dict) -> bytes:
    """The weekly accountability report as a PDF (times in each row's local zone)."""
    local = report["week_start"].astimezone(zone_for(FALLBACK_ZONE).tzinfo).date()
    period = f"{long_date(local)} - {long_date(local + timedelta(days=6))}"
    zones = {zone: zone_for(zone).tzinfo for zone in ZONES}
    html = TEMPLATES.get_template("accountability.html").render(
        r=report,
        period=period,
        zones=zones,
        as_of=report["as_of"].astimezone(zones[FALLBACK_ZONE]),
        fallback_zone=FALLBACK_ZONE,
        bucket_labels=[label for label, _ in AGING_BUCKETS],
    )
    return render_pdf(html, base_dir=TEMPLATE_DIR)
