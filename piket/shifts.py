"""Piket shifts of a command centre: preparation list, opening, hand-over, who is on duty.

A centre's first shift opens at once. Later shifts are prepared while the outgoing one is on
duty; the outgoing shift hands over (open incidents, pending orders, open forwards, notes) and
the moment the incoming Perwira acknowledges it, one closes and the other opens: the same
instant, so every minute has exactly one shift on duty.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.models import User
from core.errors import Conflict, InvalidInput, NotFound
from dispatch.models import Incident
from jurisdictions.models import Jurisdiction
from piket.journal import add_entry
from piket.models import Forward, Order, Shift, ShiftMember
from piket.schemas import CheckIn, MemberIn

# The SOP's preparation list; per-officer items get the officer's name appended.
SHIFT_CHECKS = (
    ("sprin", "Surat perintah tugas piket"),
    ("buku_mutasi", "Buku mutasi diterima dan diperiksa"),
    ("peralatan", "Peralatan (telepon 110, komputer, radio, printer) berfungsi"),
)
OFFICER_CHECKS = (("kta", "KTA"), ("seragam", "Seragam dinas lengkap"))
DEFAULT_MEMBERS = 2


def get_center(
    session: Session,
    *,
    center_id: int | None = None,
    code: str | None = None,
    jurisdiction_ids: Collection[int] | None = None,
) -> Jurisdiction:
    """A command centre: a Polda or Polres in force, by id or code, within the caller's scope."""
    query = select(Jurisdiction).where(
        Jurisdiction.level.in_(("polda", "polres")), Jurisdiction.valid_to.is_(None)
    )
    if center_id is not None:
        query = query.where(Jurisdiction.id == center_id)
    elif code:
        query = query.where(Jurisdiction.code == code)
    else:
        raise InvalidInput("sebutkan pusat komando (Polda/Polres)", field="center")
    center = session.scalar(query.limit(1))
    if center is None or (jurisdiction_ids is not None and center.id not in jurisdiction_ids):
        raise NotFound(f"pusat komando {center_id or code} tidak ada", field="center")
    return center


def checklist_items(members: list[str]) -> list[tuple[str, str]]:
    """(code, label) of every item the opening check must answer."""
    items = list(SHIFT_CHECKS)
    for name in members:
        items += [(f"{code}:{name}", f"{label} - {name}") for code, label in OFFICER_CHECKS]
    return items


def _checklist(members: list[str], checks: list[CheckIn]) -> list[dict[str, Any]]:
    given = {check.code: check for check in checks}
    unknown = set(given) - {code for code, _ in checklist_items(members)}
    if unknown:
        raise InvalidInput(f"butir pemeriksaan tidak dikenal: {sorted(unknown)}", field="checks")
    result = []
    for code, label in checklist_items(members):
        check = given.get(code)
        if check is None:
            raise InvalidInput(f"butir pemeriksaan belum diisi: {label}", field="checks")
        if not check.ok and not check.note.strip():
            raise InvalidInput(f"tulis keterangan yang kurang: {label}", field="checks")
        result.append({"code": code, "label": label, "ok": check.ok, "note": check.note.strip()})
    if len(members) < DEFAULT_MEMBERS:
        note = f"anggota piket {len(members)} orang (standar {DEFAULT_MEMBERS})"
        result.append({"code": "anggota", "label": "Jumlah anggota", "ok": False, "note": note})
    return result


def _perwira(session: Session, center: Jurisdiction, username: str | None) -> User:
    user = session.scalar(select(User).where(User.username == (username or "")))
    if user is None or user.disabled_at is not None:
        raise NotFound(f"Perwira Piket {username} tidak ada", field="perwira_username")
    if user.role != "perwira_piket" or user.jurisdiction_id != center.id:
        raise InvalidInput(
            f"{user.username} bukan Perwira Piket {center.name}", field="perwira_username"
        )
    return user


def _member_rows(session: Session, members: list[MemberIn]) -> list[ShiftMember]:
    rows = []
    for index, member in enumerate(members):
        user = None
        if member.username:
            user = session.scalar(select(User).where(User.username == member.username))
            if user is None:
                raise NotFound(f"pengguna {member.username} tidak ada", field=f"members.{index}")
        name = (member.name or (user.full_name if user else "") or member.username or "").strip()
        if not name:
            raise InvalidInput("sebutkan nama atau pengguna anggota", field=f"members.{index}")
        rows.append(
            ShiftMember(
                user_id=user.id if user else None,
                name=name,
                rank=member.rank,
                nrp=member.nrp,
                position="anggota",
            )
        )
    if len({row.name for row in rows}) != len(rows):
        raise InvalidInput("nama anggota piket ganda", field="members")
    return rows


def prepare_shift(
    session: Session,
    *,
    center: Jurisdiction,
    perwira_username: str | None,
    perwira_rank: str,
    members: list[MemberIn],
    checks: list[CheckIn],
    planned_hours: int,
    actor: str,
    now: datetime | None = None,
) -> Shift:
    """Run the preparation list and create the shift; it opens at once if none is on duty."""
    now = now or datetime.now(UTC)
    perwira = _perwira(session, center, perwira_username)
    rows = _member_rows(session, members)
    checklist = _checklist([row.name for row in rows], checks)
    if session.scalar(_shift_in(center.id, "preparing")) is not None:
        raise Conflict("regu pengganti sudah disiapkan; tunggu serah terima", field="center_id")
    shift = Shift(
        center_id=center.id,
        status="preparing",
        planned_hours=planned_hours,
        perwira_user_id=perwira.id,
        created_by=actor,
        created_at=now,
        checklist=checklist,
        handover={},
    )
    session.add(shift)
    session.flush()
    perwira_name = perwira.full_name or perwira.username
    session.add(
        ShiftMember(
            shift_id=shift.id,
            user_id=perwira.id,
            name=perwira_name,
            rank=perwira_rank,
            position="perwira",
        )
    )
    for row in rows:
        row.shift_id = shift.id
        session.add(row)
    missing = [item for item in checklist if not item["ok"]]
    summary = "lengkap" if not missing else "; ".join(f"{i['label']}: {i['note']}" for i in missing)
    add_entry(
        session,
        shift=shift,
        kind="check",
        actor=actor,
        at=now,
        message=f"Pemeriksaan awal piket: {summary}",
        detail={"missing": len(missing)},
    )
    if session.scalar(_shift_in(center.id, "open")) is None:
        _open(session, shift, actor=actor, now=now)
    return shift


def _shift_in(center_id: int, status: str):  # noqa: ANN202
    return select(Shift).where(Shift.center_id == center_id, Shift.status == status)


def _open(session: Session, shift: Shift, *, actor: str, now: datetime) -> None:
    shift.status, shift.opened_at = "open", now
    session.flush()
    add_entry(session, shift=shift, kind="opened", actor=actor, at=now, message="Piket dibuka")


def get_shift(
    session: Session,
    *,
    shift_id: int,
    jurisdiction_ids: Collection[int] | None = None,
    for_update: bool = False,
) -> Shift:
    """One shift in the caller's scope (NotFound otherwise)."""
    shift = session.get(Shift, shift_id, with_for_update=for_update)
    if shift is None or (jurisdiction_ids is not None and shift.center_id not in jurisdiction_ids):
        raise NotFound(f"piket {shift_id} tidak ada", field="shift_id")
    return shift


def hand_over(
    session: Session, *, shift: Shift, note: str, actor: str, now: datetime | None = None
) -> Shift:
    """The outgoing shift hands over to the prepared incoming one: what is open, and notes."""
    now = now or datetime.now(UTC)
    if shift.status != "open":
        raise Conflict(f"piket {shift.id} tidak sedang bertugas", field="shift_id")
    incoming = session.scalar(_shift_in(shift.center_id, "preparing").with_for_update())
    if incoming is None:
        raise Conflict("regu pengganti belum menyiapkan piket", field="shift_id")
    incoming.handover_from_id = shift.id
    incoming.handover = {
        **open_items(session, center_id=shift.center_id, now=now),
        "note": note.strip(),
        "handed_over_at": now.isoformat(),
        "handed_over_by": actor,
    }
    add_entry(
        session,
        shift=shift,
        kind="handover",
        actor=actor,
        at=now,
        message=f"Serah terima ke piket {incoming.id}" + (f": {note}" if note else ""),
        detail=_counts(incoming.handover),
    )
    return incoming


def _counts(handover: dict[str, Any]) -> dict[str, int]:
    return {key: len(handover.get(key, [])) for key in ("incidents", "orders", "forwards")}


def acknowledge_handover(
    session: Session, *, shift: Shift, actor: str, now: datetime | None = None
) -> Shift:
    """The incoming shift takes over: the outgoing one closes and this one opens, same instant."""
    now = now or datetime.now(UTC)
    if shift.status != "preparing" or shift.handover_from_id is None:
        raise Conflict(f"piket {shift.id} belum menerima serah terima", field="shift_id")
    outgoing = session.get(Shift, shift.handover_from_id, with_for_update=True)
    if outgoing is None or outgoing.status != "open":
        raise Conflict("piket lama sudah tidak bertugas", field="shift_id")
    outgoing.status, outgoing.closed_at = "closed", now
    session.flush()  # the open-shift index allows one at a time: close first
    add_entry(
        session,
        shift=outgoing,
        kind="closed",
        actor=actor,
        at=now,
        message=f"Piket ditutup; diterima piket {shift.id}",
    )
    shift.handover_acknowledged_by = actor
    add_entry(
        session,
        shift=shift,
        kind="handover",
        actor=actor,
        at=now,
        message=f"Serah terima dari piket {outgoing.id} diterima",
        detail=_counts(shift.handover),
    )
    _open(session, shift, actor=actor, now=now)
    return shift


def open_items(session: Session, *, center_id: int, now: datetime) -> dict[str, list]:
    """What is still open in the centre: incidents, pending orders, unfinished forwards."""
    in_center = or_(Incident.polda_id == center_id, Incident.polres_id == center_id)
    incidents = session.execute(
        select(Incident.id, Incident.category, Incident.status)
        .where(in_center, Incident.closed_at.is_(None))
        .order_by(Incident.id)
    ).all()
    orders = session.execute(
        select(Order.id, Order.incident_id, Order.instruction, Order.due_at)
        .join(Incident, Incident.id == Order.incident_id)
        .where(in_center, Order.status == "open")
        .order_by(Order.id)
    ).all()
    forwards = session.execute(
        select(Forward.id, Forward.incident_id, Forward.function_code, Forward.status)
        .join(Incident, Incident.id == Forward.incident_id)
        .where(in_center, Forward.status != "done")
        .order_by(Forward.id)
    ).all()
    return {
        "incidents": [{"id": i, "category": c, "status": s} for i, c, s in incidents],
        "orders": [
            {
                "id": o,
                "incident_id": i,
                "instruction": t,
                "due_at": d.isoformat() if d else None,
                "overdue": bool(d and d < now),
            }
            for o, i, t, d in orders
        ],
        "forwards": [
            {"id": f, "incident_id": i, "function_code": c, "status": s} for f, i, c, s in forwards
        ],
    }


def on_duty(session: Session, *, center_id: int, at: datetime) -> Shift | None:
    """The shift of the centre that was on duty at `at` (None if none was)."""
    return session.scalar(
        select(Shift).where(
            Shift.center_id == center_id,
            Shift.opened_at <= at,
            or_(Shift.closed_at.is_(None), Shift.closed_at > at),
        )
    )


def current_shift(session: Session, *, center_id: int) -> Shift | None:
    """The shift on duty now in the centre, if any."""
    return session.scalar(_shift_in(center_id, "open"))


def duty_for_incident(session: Session, *, incident: Incident) -> list[Shift]:
    """The shifts on duty when the call came in, at its Polda and at its Polres."""
    shifts = []
    for center_id in (incident.polda_id, incident.polres_id):
        if center_id is not None:
            shift = on_duty(session, center_id=center_id, at=incident.call_received_at)
            if shift is not None:
                shifts.append(shift)
    return shifts


def members_of(session: Session, *, shift_id: int) -> list[ShiftMember]:
    """The Perwira first, then the members in the order they were entered."""
    return list(
        session.scalars(
            select(ShiftMember)
            .where(ShiftMember.shift_id == shift_id)
            .order_by(ShiftMember.position.desc(), ShiftMember.id)
        )
    )


def shift_view(session: Session, shift: Shift, *, now: datetime | None = None) -> dict[str, Any]:
    """A shift as the pages show it: members, checks, planned end, hand-over."""
    now = now or datetime.now(UTC)
    planned_end = (
        shift.opened_at + timedelta(hours=shift.planned_hours) if shift.opened_at else None
    )
    members = members_of(session, shift_id=shift.id)
    return {
        "id": shift.id,
        "center_id": shift.center_id,
        "status": shift.status,
        "planned_hours": shift.planned_hours,
        "opened_at": shift.opened_at,
        "closed_at": shift.closed_at,
        "planned_end_at": planned_end,
        "past_planned_end": bool(shift.status == "open" and planned_end and now > planned_end),
        "perwira": next(
            ({"name": m.name, "rank": m.rank} for m in members if m.position == "perwira"), None
        ),
        "members": [
            {"name": m.name, "rank": m.rank, "nrp": m.nrp, "user_id": m.user_id}
            for m in members
            if m.position == "anggota"
        ],
        "checklist": shift.checklist,
        "missing_checks": [item for item in shift.checklist if not item["ok"]],
        "handover_from_id": shift.handover_from_id,
        "handover": shift.handover,
        "handover_acknowledged_by": shift.handover_acknowledged_by,
    }


def list_shifts(session: Session, *, center_id: int, limit: int = 50) -> list[Shift]:
    """The centre's shifts, newest first."""
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.center_id == center_id)
            .order_by(Shift.created_at.desc(), Shift.id.desc())
            .limit(limit)
        )
    )
