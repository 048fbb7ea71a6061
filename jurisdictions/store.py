"""Writing imported jurisdictions: idempotent, versioned when a boundary changes.

Same code and same geometry (byte-identical WKB): nothing changes, or attributes are updated in
place. A changed geometry closes the old row (valid_to) and inserts a new version, so lookups
"as of" an earlier time still see the old boundary. The caller owns the transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import shapely
from geoalchemy2 import WKBElement
from sqlalchemy import Row, insert, text, update
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from jurisdictions.models import DEPTH, Jurisdiction
from jurisdictions.units import Unit

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK = 200

_EXISTING_SQL = text(
    "SELECT id, level, code, name, parent_id, admin_codes, response_target_s, timezone, "
    "valid_from, md5(ST_AsBinary(geom, 'NDR')) AS digest FROM jurisdictions "
    "WHERE valid_to IS NULL AND code = ANY(:codes)"
)


@dataclass
class ImportReport:
    """What an import did, per outcome, plus repairs and warnings to show the user."""

    created: int = 0
    replaced: int = 0
    updated: int = 0
    unchanged: int = 0
    repairs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.replaced + self.updated


def wkb_digest(geom: shapely.Geometry) -> str:
    """md5 of the little-endian WKB, as PostGIS computes md5(ST_AsBinary(geom, 'NDR'))."""
    return hashlib.md5(shapely.to_wkb(geom, byte_order=1, include_srid=False)).hexdigest()


def write_units(
    session: Session,
    *,
    units: list[Unit],
    valid_from: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Insert, version or keep each unit (coarsest level first); returns the counts."""
    report = report or ImportReport()
    codes = {u.code for u in units} | {u.parent_code for u in units if u.parent_code}
    existing = {r.code: r for r in session.execute(_EXISTING_SQL, {"codes": sorted(codes)})}
    known = {code: (r.id, r.level) for code, r in existing.items()}
    replaced_at = valid_from or datetime.now(UTC)
    for depth in sorted({DEPTH[u.level] for u in units}):
        pending: list[tuple[Unit, int | None, Row | None]] = []
        for unit in (u for u in units if DEPTH[u.level] == depth):
            parent_id = _parent_id(unit, known)
            old = existing.get(unit.code)
            if old is not None and old.level != unit.level:
                raise InvalidInput(
                    f"kode {unit.code} sudah dipakai {old.level}, bukan {unit.level}", field="code"
                )
            if old is None or (not unit.derived and old.digest != wkb_digest(unit.geom)):
                pending.append((unit, parent_id, old))
                continue
            if not unit.derived and _update_in_place(session, old, unit, parent_id):
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(1)
        _insert_pending(session, pending, valid_from, replaced_at, known, report, progress)
    session.execute(text("ANALYZE jurisdictions"))
    session.execute(text("ANALYZE jurisdiction_parts"))
    return report


def _parent_id(unit: Unit, known: dict[str, tuple[int, str]]) -> int | None:
    if not unit.parent_code:
        if unit.level != "polda":
            raise InvalidInput(f"{unit.level} {unit.code} tidak punya induk", field="parent")
        return None
    found = known.get(unit.parent_code)
    if found is None:
        raise InvalidInput(
            f"{unit.level} {unit.code}: induk {unit.parent_code} tidak ditemukan "
            "(impor tingkat di atasnya dulu)",
            field="parent",
        )
    if DEPTH[found[1]] >= DEPTH[unit.level]:
        raise InvalidInput(
            f"{unit.level} {unit.code}: induk {unit.parent_code} adalah {found[1]}", field="parent"
        )
    return found[0]


def _update_in_place(session: Session, old: Row, unit: Unit, parent_id: int | None) -> bool:
    changes: dict[str, object] = {}
    if old.name != unit.name:
        changes["name"] = unit.name
    if list(old.admin_codes) != unit.admin_codes:
        changes["admin_codes"] = unit.admin_codes
    if old.parent_id != parent_id:
        changes["parent_id"] = parent_id
    if unit.response_target_s is not None and old.response_target_s != unit.response_target_s:
        changes["response_target_s"] = unit.response_target_s
    if unit.timezone is not None and old.timezone != unit.timezone:
        changes["timezone"] = unit.timezone
    if changes:
        stmt = update(Jurisdiction).where(Jurisdiction.id == old.id).values(**changes)
        session.execute(stmt)
    return bool(changes)


def _insert_pending(
    session: Session,
    pending: list[tuple[Unit, int | None, Row | None]],
    valid_from: datetime | None,
    replaced_at: datetime,
    known: dict[str, tuple[int, str]],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        rows = [_row(u, pid, old, valid_from, replaced_at) for u, pid, old in chunk]
        stmt = insert(Jurisdiction).returning(Jurisdiction.id, sort_by_parameter_order=True)
        new_ids = session.scalars(stmt, rows).all()
        for (unit, _, old), new_id in zip(chunk, new_ids, strict=True):
            known[unit.code] = (new_id, unit.level)
            if old is None:
                report.created += 1
            else:
                _retire(session, old, new_id, replaced_at)
                report.replaced += 1
        if progress:
            progress(len(chunk))


def _row(
    unit: Unit, parent_id: int | None, old: Row | None, valid_from: datetime | None, at: datetime
) -> dict:
    # A first import is valid "since always"; a changed boundary from the import date on.
    start = valid_from or (EPOCH if old is None else at)
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent_id": parent_id,
        "admin_codes": unit.admin_codes,
        # A new version keeps the target and zone of the old one unless the file sets them.
        "response_target_s": _first(unit.response_target_s, old, "response_target_s"),
        "timezone": _first(unit.timezone, old, "timezone"),
        "valid_from": start,
        # Extended WKB goes to PostGIS as is; plain WKB would pass through (lossy) WKT.
        "geom": WKBElement(
            shapely.to_wkb(shapely.set_srid(unit.geom, 4326), byte_order=1, include_srid=True),
            srid=4326,
            extended=True,
        ),
    }


def _first(value: object, old: Row | None, name: str) -> object:
    if value is not None or old is None:
        return value
    return getattr(old, name)


def _retire(session: Session, old: Row, new_id: int, at: datetime) -> None:
    if old.valid_from >= at:
        raise InvalidInput(
            f"{old.code}: versi lama berlaku sejak {old.valid_from:%Y-%m-%d}; "
            "--valid-from harus sesudahnya",
            field="valid_from",
        )
    session.execute(update(Jurisdiction).where(Jurisdiction.id == old.id).values(valid_to=at))
    # Children in force follow the new version of their parent.
    session.execute(
        update(Jurisdiction)
        .where(Jurisdiction.parent_id == old.id, Jurisdiction.valid_to.is_(None))
        .values(parent_id=new_id)
    )


_TARGET_SQL = text(
    "UPDATE jurisdictions SET response_target_s = coalesce(:target, response_target_s), "
    "timezone = coalesce(:tz, timezone) WHERE code = :code AND valid_to IS NULL "
    "AND (response_target_s IS DISTINCT FROM coalesce(:target, response_target_s) "
    "OR timezone IS DISTINCT FROM coalesce(:tz, timezone))"
)
_EXISTS_SQL = text("SELECT 1 FROM jurisdictions WHERE code = :code AND valid_to IS NULL")


def apply_targets(
    session: Session, *, targets: list[tuple[str, int | None, str | None]], report: ImportReport
) -> None:
    """Set response targets / time zones by code on the rows in force (None leaves as is)."""
    for code, target, zone in targets:
        if session.execute(_EXISTS_SQL, {"code": code}).first() is None:
            report.warnings.append(f"target: kode {code} tidak ada (dilewati)")
            continue
        result = session.execute(_TARGET_SQL, {"code": code, "target": target, "tz": zone})
        report.updated += result.rowcount
