"""Document numbers in the Polri form, gapless and race-free per issuing unit, series and year.

`LP/B/123/XII/2026/SPKT/POLRES SINTANG/POLDA KALIMANTAN BARAT`: the series, the number, the
month in Roman numerals and the year of issue (in the unit's local time), then the issuing unit
up to its Polda. The counter row is taken with INSERT .. ON CONFLICT DO UPDATE in the caller's
transaction: a second desk waits on the row lock and gets the next number, and a transaction
that rolls back takes its number with it, so there is no gap and no duplicate. LPs, the
contended series, are not numbered here: spkt_number_lp() (migration 1405) numbers every
committed pending request of the unit, series and year in one statement under the key's
advisory lock (spkt/laporan_polisi.py); the piket worker numbers those a dead desk left pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import NotFound
from jurisdictions import timezones

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# Series -> how its number reads ({seq}, {month}, {year}, {unit}); LP series carry the model.
FORMATS = {
    "STPL": "STPL/{seq}/{month}/{year}/SPKT/{unit}",
    "LP/A": "LP/A/{seq}/{month}/{year}/SPKT/{unit}",
    "LP/B": "LP/B/{seq}/{month}/{year}/SPKT/{unit}",
    "SKTLK": "SKTLK/{seq}/{month}/{year}/SPKT/{unit}",
    "VER": "B/{seq}/VER/{month}/{year}/SPKT/{unit}",
}

# The unit and its ancestors, own row first (bounded against a cycle in bad data).
_CHAIN_SQL = text(
    "WITH RECURSIVE up AS ("
    " SELECT id, name, level, timezone, parent_id, 0 AS depth FROM jurisdictions WHERE id = :id"
    " UNION ALL SELECT j.id, j.name, j.level, j.timezone, j.parent_id, up.depth + 1"
    " FROM jurisdictions j JOIN up ON j.id = up.parent_id WHERE up.depth < 8)"
    " SELECT id, name, level, timezone FROM up ORDER BY depth"
)
_NEXT_SQL = text(
    "INSERT INTO spkt_number_sequences (jurisdiction_id, series, year, last_number)"
    " VALUES (:jurisdiction_id, :series, :year, 1)"
    " ON CONFLICT (jurisdiction_id, series, year)"
    " DO UPDATE SET last_number = spkt_number_sequences.last_number + 1"
    " RETURNING last_number"
)


@dataclass(frozen=True)
class IssuingUnit:
    """The unit that issues (Polres or Polsek) with its chain up to the Polda."""

    jurisdiction_id: int
    level: str
    names: tuple[str, ...]  # own name first, then upwards: Polsek, Polres, Polda
    timezone: str

    @property
    def suffix(self) -> str:
        return "/".join(name.upper() for name in self.names)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(timezones.zone_for(self.timezone).iana)


@dataclass(frozen=True)
class DocumentNumber:
    series: str
    year: int
    sequence: int
    number: str


def roman_month(month: int) -> str:
    """I..XII for months 1..12."""
    return ROMAN_MONTHS[month - 1]


def issuing_unit(session: Session, *, jurisdiction_id: int) -> IssuingUnit:
    """The issuing unit's names up to its Polda and its time zone (one round trip)."""
    rows = session.execute(_CHAIN_SQL, {"id": jurisdiction_id}).all()
    if not rows:
        raise NotFound(f"wilayah hukum {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    names: dict[str, str] = {}
    for _, name, level, _ in rows:  # own row first, then upwards: the lowest of a level counts
        names.setdefault(level, name)
    own_level = rows[0][2]
    order = [level for level in ("polsek", "polres", "polda") if level in names]
    zone = next((row[3] for row in rows if row[3]), None)  # inherited bottom-up
    chain = tuple(names[level] for level in order[order.index(own_level) :])
    return IssuingUnit(jurisdiction_id, own_level, chain, timezones.zone_name(zone))


def number_parts(*, unit: IssuingUnit, series: str, at: datetime) -> tuple[int, str, str]:
    """(year, text before the sequence, text after it) of a number issued at `at`."""
    local = at.astimezone(unit.zone)
    prefix, suffix = FORMATS[series].split("{seq}")
    fields = {"month": roman_month(local.month), "year": local.year, "unit": unit.suffix}
    return local.year, prefix.format(**fields), suffix.format(**fields)


def next_number(
    session: Session, *, unit: IssuingUnit, series: str, at: datetime | None = None
) -> DocumentNumber:
    """Take the next number of a series for the unit (in the caller's transaction)."""
    local = (at or datetime.now(UTC)).astimezone(unit.zone)
    params = {"jurisdiction_id": unit.jurisdiction_id, "series": series, "year": local.year}
    sequence = session.execute(_NEXT_SQL, params).scalar_one()
    number = FORMATS[series].format(
        seq=sequence, month=roman_month(local.month), year=local.year, unit=unit.suffix
    )
    return DocumentNumber(series, local.year, sequence, number)
