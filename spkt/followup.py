"""Following every report to its end: what is still open, for how long, what is overdue,
and the accountable official of each Polres and Polsek (Kapolres, Kapolsek)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from jurisdictions.models import Jurisdiction
from spkt.deadlines import (
    AGING_BUCKETS,
    FORWARD_DEADLINE,
    HANDOVER_DEADLINE,
    INCIDENT_DEADLINE,
    bucket_of,
)
from spkt.models import ACCOUNTABLE_POSITIONS, OFFICIAL_POSITIONS, SPKT_POSITIONS, Official
from spkt.taxonomy import POSITION_LABELS

SQL_DIR = Path(__file__).resolve().parent / "sql"
OPEN_ITEMS_SQL = text((SQL_DIR / "open_items.sql").read_text())
SP2HP_OVERDUE_SQL = text((SQL_DIR / "sp2hp_overdue.sql").read_text())
POSITION_BY_LEVEL = {"polda": "kapolda", "polres": "kapolres", "polsek": "kapolsek"}
SOURCE_LABELS = {
    "spkt": "Laporan SPKT belum selesai",
    "110": "Laporan 110 belum ditutup",
    "110_handover": "Laporan 110 untuk LP belum diterima SPKT",
    "110_forward": "Penerusan ke fungsi belum dijawab",
    "sp2hp": "SP2HP ke pelapor terlambat",
}


@dataclass
class JurisdictionAging:
    """Open items of one jurisdiction by aging bucket, with the overdue ones listed."""

    jurisdiction_id: int
    name: str
    level: str
    parent_name: str | None
    official: dict | None
    buckets: dict[str, int] = field(default_factory=lambda: {b: 0 for b, _ in AGING_BUCKETS})
    open_count: int = 0
    overdue: list[dict] = field(default_factory=list)
    sp2hp_overdue: list[dict] = field(default_factory=list)
    oldest_opened_at: datetime | None = None


def set_official(
    session: Session, *, jurisdiction_id: int, position: str, name: str, rank: str, nrp: str
) -> Official:
    """Record the jurisdiction's accountable official from now on (the previous one ends)."""
    level = session.scalar(select(Jurisdiction.level).where(Jurisdiction.id == jurisdiction_id))
    if level is None:
        raise InvalidInput(f"wilayah {jurisdiction_id} tidak ada", field="jurisdiction_id")
    if position not in SPKT_POSITIONS and POSITION_BY_LEVEL[level] != position:
        raise InvalidInput(f"pejabat {level} adalah {POSITION_BY_LEVEL[level]}", field="position")
    now = datetime.now(UTC)
    for current in _current(session, [jurisdiction_id], (position,)):
        current.until = now
    official = Official(
        jurisdiction_id=jurisdiction_id, position=position, name=name, rank=rank, nrp=nrp, since=now
    )
    session.add(official)
    session.flush()
    return official


def _current(session: Session, ids: Collection[int], positions: Collection[str]) -> list:
    query = select(Official).where(
        Official.jurisdiction_id.in_(list(ids)),
        Official.position.in_(list(positions)),
        Official.until.is_(None),
    )
    return list(session.scalars(query.order_by(Official.since, Official.id)))


def _current_officials(session: Session, ids: Collection[int]) -> dict[int, Official]:
    """The accountable official (Kapolda, Kapolres, Kapolsek) of each jurisdiction."""
    return {row.jurisdiction_id: row for row in _current(session, ids, ACCOUNTABLE_POSITIONS)}


def current_positions(session: Session, *, ids: Collection[int]) -> set[tuple[int, str]]:
    """(jurisdiction id, position) of every post filled now."""
    return {(r.jurisdiction_id, r.position) for r in _current(session, ids, OFFICIAL_POSITIONS)}


def spkt_signers(session: Session, *, jurisdiction_id: int) -> list[dict]:
    """The SPKT officials of a jurisdiction who sign its documents (KA SPKT first)."""
    rows = _current(session, [jurisdiction_id], SPKT_POSITIONS)
    rows.sort(key=lambda row: SPKT_POSITIONS.index(row.position))
    return [
        {"id": row.id, "position": row.position, "position_label": POSITION_LABELS[row.position],
         "name": row.name, "rank": row.rank, "nrp": row.nrp}
        for row in rows
    ]  # fmt: skip


def _item(row, now: datetime, source: str | None = None) -> dict:  # noqa: ANN001
    source = source or row.source
    return {
        "source": source,
        "source_label": SOURCE_LABELS[source],
        "ref_id": row.ref_id,
        "label": row.label,
        "opened_at": row.opened_at,
        "due_at": row.due_at,
        "age_s": (now - row.opened_at).total_seconds(),
        "overdue_s": max((now - row.due_at).total_seconds(), 0.0),
    }


def aging(
    session: Session, *, scope_ids: Collection[int] | None, now: datetime | None = None
) -> list[JurisdictionAging]:
    """Per Polres and Polsek (and Polda for items only it holds): open items by age."""
    now = now or datetime.now(UTC)
    params = {
        "incident_deadline_s": INCIDENT_DEADLINE.total_seconds(),
        "handover_deadline_s": HANDOVER_DEADLINE.total_seconds(),
        "forward_deadline_s": FORWARD_DEADLINE.total_seconds(),
    }
    rows = [r for r in session.execute(OPEN_ITEMS_SQL, params) if _in(scope_ids, r)]
    late = [r for r in session.execute(SP2HP_OVERDUE_SQL, {"now": now}) if _in(scope_ids, r)]
    views = _views(session, {r.jurisdiction_id for r in rows} | {r.jurisdiction_id for r in late})
    for row in rows:
        view = views[row.jurisdiction_id]
        view.open_count += 1
        view.buckets[bucket_of(now - row.opened_at)] += 1
        if view.oldest_opened_at is None or row.opened_at < view.oldest_opened_at:
            view.oldest_opened_at = row.opened_at
        if row.due_at < now:
            view.overdue.append(_item(row, now))
    for row in late:
        views[row.jurisdiction_id].sp2hp_overdue.append(_item(row, now, "sp2hp"))
    for view in views.values():
        view.overdue.sort(key=lambda item: item["due_at"])
    return sorted(views.values(), key=lambda v: (v.parent_name or v.name, v.level, v.name))


def _in(scope_ids: Collection[int] | None, row) -> bool:  # noqa: ANN001
    return scope_ids is None or row.jurisdiction_id in scope_ids


def _views(session: Session, ids: set[int]) -> dict[int, JurisdictionAging]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            Jurisdiction.id, Jurisdiction.name, Jurisdiction.level, Jurisdiction.parent_id
        ).where(Jurisdiction.id.in_(ids))
    ).all()
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    names: dict[int, str] = {}
    if parents:
        query = select(Jurisdiction.id, Jurisdiction.name).where(Jurisdiction.id.in_(parents))
        names = {row.id: row.name for row in session.execute(query)}
    officials = _current_officials(session, ids)
    return {
        r.id: JurisdictionAging(
            jurisdiction_id=r.id,
            name=r.name,
            level=r.level,
            parent_name=names.get(r.parent_id),
            official=_official_view(officials.get(r.id)),
        )
        for r in rows
    }


def _official_view(official: Official | None) -> dict | None:
    if official is None:
        return None
    return {
        "position": official.position,
        "name": official.name,
        "rank": official.rank,
        "nrp": official.nrp,
        "since": official.since,
    }
