"""Indonesian time zones: the one source for zone names, IANA names, offsets and the fallback.

Every consumer (recommendation peak hours, piket clock and reports, SPKT numbers, planner SQL
and exports, the pages' scripts) resolves a zone through this module, so a jurisdiction without
a zone reads the same everywhere. Indonesia keeps no daylight saving time (UU/Keppres 41/1987),
so each zone is a fixed offset; the IANA name is what PostgreSQL's `AT TIME ZONE` takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone


@dataclass(frozen=True)
class Zone:
    """One Indonesian time zone: its short name, IANA name and UTC offset in hours."""

    name: str
    iana: str
    offset_h: int

    @property
    def tzinfo(self) -> timezone:
        return timezone(timedelta(hours=self.offset_h), self.name)

    @property
    def offset_text(self) -> str:
        """'+08:00' (ISO 8601)."""
        return f"+{self.offset_h:02d}:00"


ZONES: dict[str, Zone] = {
    "WIB": Zone("WIB", "Asia/Jakarta", 7),
    "WITA": Zone("WITA", "Asia/Makassar", 8),
    "WIT": Zone("WIT", "Asia/Jayapura", 9),
}
# A jurisdiction tree that sets no zone anywhere is read in WIB, the capital's zone, which is
# also the calendar of national reports. This is the only place the fallback is written.
FALLBACK_ZONE = "WIB"

# UU/Keppres 41/1987: WIB west, WITA central, WIT east; province codes per Kepmendagri.
_WIB = {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34"}
_WIB |= {"35", "36", "61", "62"}
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}


def timezone_for_province(code: str | None) -> str | None:
    """WIB/WITA/WIT for a Kemendagri/BPS province code ('64', '64.71', '6471'); None if unknown."""
    if not code or len(code) < 2 or not code[:2].isdigit():
        return None
    prefix = code[:2]
    if prefix in _WIB:
        return "WIB"
    if prefix in _WITA:
        return "WITA"
    if prefix in _WIT:
        return "WIT"
    return None


def zone_for(name: str | None) -> Zone:
    """The zone of a stored name (WIB/WITA/WIT); the fallback for None or an unknown name."""
    return ZONES.get(name or FALLBACK_ZONE) or ZONES[FALLBACK_ZONE]


def zone_name(name: str | None) -> str:
    """The resolved short name: the stored one, or the fallback."""
    return zone_for(name).name


def local_time(at: datetime, name: str | None) -> datetime:
    """An aware instant as the zone's wall clock (tzinfo carries the zone name)."""
    return at.astimezone(zone_for(name).tzinfo)


def local_hour(at: datetime, name: str | None) -> int:
    """The wall-clock hour of an instant in the zone."""
    return local_time(at, name).hour


def local_day_start(day: date, name: str | None) -> datetime:
    """00:00 of a local calendar day as an aware instant."""
    return datetime(day.year, day.month, day.day, tzinfo=zone_for(name).tzinfo)


def format_local(at: datetime | None, name: str | None) -> str:
    """'2026-12-03 08:15 WITA (+08:00)'; '' for no time."""
    if at is None:
        return ""
    zone = zone_for(name)
    return f"{local_time(at, zone.name):%Y-%m-%d %H:%M} {zone.name} ({zone.offset_text})"


def iso_local(at: datetime | None, name: str | None) -> str | None:
    """ISO 8601 with the zone's offset ('2026-12-03T08:15:00+08:00'); None for no time."""
    return None if at is None else local_time(at, name).isoformat(timespec="seconds")


def sql_zone_params() -> dict[str, object]:
    """Bound parameters that let a query resolve zones exactly as this module does."""
    return {
        "zone_names": list(ZONES),
        "zone_ianas": [zone.iana for zone in ZONES.values()],
        "fallback_zone": FALLBACK_ZONE,
        "fallback_iana": ZONES[FALLBACK_ZONE].iana,
    }


def page_zones() -> dict[str, object]:
    """What the pages' scripts need: offsets by name and the fallback name."""
    return {
        "offsets_h": {name: zone.offset_h for name, zone in ZONES.items()},
        "fallback": FALLBACK_ZONE,
    }


def day_span_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """[earliest start of `first`, latest end of `last`] over every zone, as UTC instants.

    A query's coarse bound for local days: the exact day test runs per row in its own zone.
    """
    starts = [local_day_start(first, name) for name in ZONES]
    ends = [local_day_start(last + timedelta(days=1), name) for name in ZONES]
    return min(starts).astimezone(UTC), max(ends).astimezone(UTC)


def period_label(first: date, last: date, names: list[str]) -> str:
    """'2026-12-01 00:00 s.d. 2026-12-31 24:00 WITA (+08:00)'; local days of each zone."""
    span = f"{first.isoformat()} 00:00 s.d. {last.isoformat()} 24:00"
    zones = [zone_for(name) for name in sorted(set(names))] or [zone_for(None)]
    if len(zones) == 1:
        return f"{span} {zones[0].name} ({zones[0].offset_text}), hari setempat"
    listed = ", ".join(f"{z.name} ({z.offset_text})" for z in zones)
    return f"{span} hari setempat tiap insiden: {listed}"
