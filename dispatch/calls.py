"""Calls as the system saw them: T0 of every incident comes from here when there is a record.

The telephony hook (a PABX/CTI posting each ringing call) creates a waiting call that an
operator answers; without telephony, the console's "Terima panggilan" records the moment the
operator takes the call, before the form. A ring time is bounded by when this server learned
of the call: never after it (beyond clock skew), never longer before it than a call can queue.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import unique_or
from core.errors import Conflict, InvalidInput, NotFound
from dispatch.models import Call, Incident

# Clock skew allowed between the PABX and this server.
MAX_SKEW_S = 60
# The longest a call can ring or queue at the PABX before the hook reports it.
MAX_QUEUE_S = 30 * 60
# An operator may enter a T0 for a call with no record this long before saving the form.
MAX_UNSEEN_BACKDATE_S = 5 * 60


def _phone(raw: str) -> str:
    from dispatch.intake import normalize_phone

    return normalize_phone(raw) if raw.strip() else ""


def _bounded_ring(rang_at: datetime | None, seen_at: datetime) -> datetime:
    if rang_at is None:
        return seen_at
    if rang_at.tzinfo is None:
        raise InvalidInput("waktu dering harus memakai zona waktu", field="rang_at")
    if rang_at > seen_at + timedelta(seconds=MAX_SKEW_S):
        raise InvalidInput("waktu dering sesudah panggilan diterima sistem", field="rang_at")
    if rang_at < seen_at - timedelta(seconds=MAX_QUEUE_S):
        raise InvalidInput(
            f"waktu dering lebih dari {MAX_QUEUE_S // 60} menit sebelum panggilan diterima sistem",
            field="rang_at",
        )
    return rang_at


def ring_call(
    session: Session,
    *,
    caller_phone: str,
    line: str,
    jurisdiction_id: int | None,
    rang_at: datetime | None = None,
    external_id: str | None = None,
    now: datetime | None = None,
) -> Call:
    """The telephony hook: a call ringing now (or queued since rang_at) waits for an operator."""
    now = now or datetime.now(UTC)
    call = Call(
        caller_phone=_phone(caller_phone),
        line=line,
        source="telephony",
        jurisdiction_id=jurisdiction_id,
        rang_at=_bounded_ring(rang_at, now),
        seen_at=now,
        status="waiting",
        external_id=external_id,
    )
    with unique_or(Conflict("panggilan ini sudah tercatat", field="external_id"), session):
        session.add(call)
    return call


def take_call(
    session: Session,
    *,
    actor: str,
    jurisdiction_id: int | None,
    caller_phone: str = "",
    line: str = "",
    now: datetime | None = None,
) -> Call:
    """ "Terima panggilan" without telephony: the moment the operator takes the call is T0."""
    now = now or datetime.now(UTC)
    call = Call(
        caller_phone=_phone(caller_phone),
        line=line or "konsol",
        source="console",
        jurisdiction_id=jurisdiction_id,
        rang_at=now,
        seen_at=now,
        status="answered",
        answered_at=now,
        answered_by=actor,
    )
    session.add(call)
    session.flush()
    return call


def _in_scope(call: Call, jurisdiction_ids: Collection[int] | None) -> bool:
    return jurisdiction_ids is None or call.jurisdiction_id in jurisdiction_ids


def get_call(
    session: Session,
    *,
    call_id: int,
    jurisdiction_ids: Collection[int] | None = None,
    for_update: bool = False,
) -> Call:
    """One call of a line in the caller's jurisdictions (NotFound otherwise)."""
    call = session.get(Call, call_id, with_for_update=for_update)
    if call is None or not _in_scope(call, jurisdiction_ids):
        raise NotFound(f"panggilan {call_id} tidak ditemukan", field="call_id")
    return call


def answer_call(
    session: Session,
    *,
    call_id: int,
    actor: str,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Call:
    """An operator picks up a waiting call (Conflict if someone else already did)."""
    call = get_call(session, call_id=call_id, jurisdiction_ids=jurisdiction_ids, for_update=True)
    if call.status != "waiting":
        raise Conflict(
            f"panggilan {call_id} sudah {'diangkat' if call.status == 'answered' else 'terputus'}"
            + (f" oleh {call.answered_by}" if call.answered_by else ""),
            field="call_id",
        )
    call.status, call.answered_at, call.answered_by = "answered", now or datetime.now(UTC), actor
    return call


def list_calls(
    session: Session,
    *,
    status: str | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    limit: int = 50,
) -> list[Call]:
    """Calls of the caller's lines, oldest ringing first (the queue order)."""
    query = select(Call).order_by(Call.rang_at, Call.id).limit(limit)
    if jurisdiction_ids is not None:
        query = query.where(Call.jurisdiction_id.in_(list(jurisdiction_ids)))
    if status:
        query = query.where(Call.status == status)
    return list(session.scalars(query))


def incident_t0(
    session: Session,
    *,
    call_id: int | None,
    given: datetime | None,
    jurisdiction_ids: Collection[int] | None,
    now: datetime,
) -> tuple[datetime, str, Call | None]:
    """T0 of a new incident, its source and the call it uses (locked).

    With a call record, T0 is its ring time (a given T0 may not lie before it). Without, a
    given T0 may reach back MAX_UNSEEN_BACKDATE_S at most; none given: the moment of saving.
    """
    if given is not None and given.tzinfo is None:
        raise InvalidInput("waktu panggilan harus memakai zona waktu", field="call_received_at")
    if given is not None and given > now + timedelta(seconds=MAX_SKEW_S):
        raise InvalidInput("waktu panggilan tidak boleh di masa depan", field="call_received_at")
    if call_id is None:
        if given is None:
            return now, "created", None
        if given < now - timedelta(seconds=MAX_UNSEEN_BACKDATE_S):
            raise InvalidInput(
                f"waktu panggilan tanpa catatan panggilan paling lama "
                f"{MAX_UNSEEN_BACKDATE_S // 60} menit sebelumnya; pakai 'Terima panggilan'",
                field="call_received_at",
            )
        return given, "entered", None
    call = get_call(session, call_id=call_id, jurisdiction_ids=jurisdiction_ids, for_update=True)
    used = session.scalar(select(Incident.id).where(Incident.call_id == call.id))
    if used is not None:
        raise Conflict(f"panggilan {call.id} sudah menjadi laporan #{used}", field="call_id")
    if given is not None and given < call.rang_at - timedelta(seconds=1):
        raise InvalidInput("waktu panggilan sebelum telepon berdering", field="call_received_at")
    if call.status == "waiting":  # saved straight from the queue: answered now
        call.status, call.answered_at = "answered", now
    return call.rang_at, call.source, call
