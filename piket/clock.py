"""Local time of a command centre: WIB/WITA/WIT, the SOP greeting, the daily report's period.

The zones and the fallback for a centre without one are jurisdictions.timezones'.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from jurisdictions import timezones


def zone(name: str | None) -> timezone:
    """The fixed-offset zone of WIB/WITA/WIT (the one fallback when unknown)."""
    return timezones.zone_for(name).tzinfo


def local(at: datetime, zone_name: str | None) -> datetime:
    """An aware time shown in the centre's zone."""
    return timezones.local_time(at, zone_name)


def greeting_word(local_time: datetime) -> str:
    """Selamat pagi (04-10), siang (11-14), sore (15-17), malam (18-03), as the SOP script says."""
    hour = local_time.hour
    if 4 <= hour < 11:
        return "pagi"
    if 11 <= hour < 15:
        return "siang"
    if 15 <= hour < 18:
        return "sore"
    return "malam"


def parse_clock(value: str, *, field: str) -> time:
    """'HH:MM' to a time; ValueError names the field."""
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"{field}: jam harus berbentuk HH:MM, bukan {value!r}") from exc


def report_period(
    report_date: date, zone_name: str | None, *, day_start: time, due: time
) -> tuple[datetime, datetime, datetime]:
    """(start, end, due) in UTC of the report dated report_date.

    The piket day starts at the morning hand-over (day_start); the report dated D covers the
    24 hours before D's day_start and is due to the Direktur at D's `due` local time.
    """
    tz = zone(zone_name)
    end = datetime.combine(report_date, day_start, tzinfo=tz)
    due_at = datetime.combine(report_date, due, tzinfo=tz)
    return (
        (end - timedelta(days=1)).astimezone(UTC),
        end.astimezone(UTC),
        due_at.astimezone(UTC),
    )


def current_report_date(now: datetime, zone_name: str | None, *, due: time) -> date:
    """The date of the latest report whose due time has come (today after `due`, else yesterday)."""
    here = local(now, zone_name)
    return here.date() if here.time() >= due else here.date() - timedelta(days=1)
