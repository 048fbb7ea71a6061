"""Prank history per caller number, weighted by recency, and the flag the Perwira Piket reviews.

The weighting is defined here and nowhere else. Each prank marking of a number counts
0.5 ** (age / PRANK_HALF_LIFE_DAYS): a prank today counts 1, one a month ago 0.5, one a year
ago almost nothing. A number whose score reaches PRANK_FLAG_SCORE is flagged: two pranks within
about 9.7 days (1 + 0.5 ** (9.7 / 30) = 1.8), three within a month (1 + 0.71 + 0.5), or one a
month for four months (1 + 0.5 + 0.25 + 0.125); a single prank, or two a season apart, never.
The first marking that takes a number over the threshold raises a flag (one open flag per
number) that the Perwira Piket of that call's centre sees and reviews; the operator sees the
score and the flag when the number is typed or a call with it is picked up, and the console
board marks any open call from a flagged number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, true
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from dispatch.log import append_log
from dispatch.models import CallerFlag, CallerPrank, Incident

PRANK_HALF_LIFE_DAYS = 30.0
PRANK_FLAG_SCORE = 1.8
REVIEW_LABELS = {
    "peringatan": "Penelepon sudah diperingatkan",
    "usul_blokir": "Diusulkan pemblokiran nomor ke operator seluler",
    "pantau": "Dipantau",
}

_HALF_LIFE_S = PRANK_HALF_LIFE_DAYS * 86400.0
_SCORE = (
    "COALESCE(sum(power(0.5, GREATEST(EXTRACT(EPOCH FROM (CAST(:now AS timestamptz)"
    " - marked_at)), 0) / :half_life_s)), 0)"
)
STANDING_SQL = text(
    f"SELECT count(*) AS prank_count, {_SCORE} AS score, max(marked_at) AS last_at"  # noqa: S608
    " FROM caller_pranks WHERE phone = :phone AND marked_at <= :now"
)
FLAGGED_PHONES_SQL = text(
    "SELECT phone FROM caller_pranks WHERE phone = ANY(:phones) AND marked_at <= :now"  # noqa: S608
    f" GROUP BY phone HAVING {_SCORE} >= :flag_score"
    " UNION SELECT phone FROM caller_flags WHERE reviewed_at IS NULL AND phone = ANY(:phones)"
)


@dataclass(frozen=True)
class PrankStanding:
    """A number's prank record as of `now`: stored count, recency-weighted score, open flag."""

    prank_count: int
    score: float
    last_at: datetime | None
    open_flag: CallerFlag | None

    @property
    def flagged(self) -> bool:
        return self.score >= PRANK_FLAG_SCORE or self.open_flag is not None


def _weights(now: datetime) -> dict[str, Any]:
    return {"now": now, "half_life_s": _HALF_LIFE_S}


def prank_standing(session: Session, *, phone: str, now: datetime | None = None) -> PrankStanding:
    """The number's stored prank history, scored as of now."""
    now = now or datetime.now(UTC)
    row = session.execute(STANDING_SQL, {"phone": phone, **_weights(now)}).one()
    flag = session.scalar(
        select(CallerFlag).where(CallerFlag.phone == phone, CallerFlag.reviewed_at.is_(None))
    )
    return PrankStanding(row.prank_count, round(float(row.score), 3), row.last_at, flag)


def flagged_phones(
    session: Session, phones: Iterable[str], *, now: datetime | None = None
) -> set[str]:
    """The numbers among `phones` that are flagged now (score over threshold or open flag)."""
    params = {"phones": sorted(set(phones)), "flag_score": PRANK_FLAG_SCORE}
    rows = session.execute(FLAGGED_PHONES_SQL, params | _weights(now or datetime.now(UTC)))
    return {phone for (phone,) in rows}


def record_prank(
    session: Session, *, incident: Incident, actor: str, now: datetime
) -> CallerFlag | None:
    """Store the prank marking of an incident's number; raise a flag when it tips the score."""
    if session.scalar(select(CallerPrank.id).where(CallerPrank.incident_id == incident.id)):
        return None
    phone = incident.caller_phone
    session.add(CallerPrank(phone=phone, incident_id=incident.id, marked_at=now, actor=actor))
    session.flush()
    standing = prank_standing(session, phone=incident.caller_phone, now=now)
    if standing.score < PRANK_FLAG_SCORE or standing.open_flag is not None:
        return None
    flag = CallerFlag(
        phone=incident.caller_phone,
        incident_id=incident.id,
        raised_at=now,
        score=standing.score,
        prank_count=standing.prank_count,
    )
    session.add(flag)
    session.flush()
    append_log(
        session,
        incident_id=incident.id,
        actor="system",
        action="caller_flagged",
        at=now,
        message=f"Nomor {incident.caller_phone} ditandai iseng berulang "
        f"({standing.prank_count} kali, skor {_score_text(standing.score)}); "
        "diteruskan ke Perwira Piket",
        detail={"flag_id": flag.id, "score": standing.score},
    )
    return flag


def _score_text(score: float) -> str:
    return f"{score:.1f}".replace(".", ",")


def standing_message(standing: PrankStanding, total: int, now: datetime) -> str:
    """What the operator reads beside the number (Bahasa Indonesia)."""
    if not standing.prank_count:
        return f"{total} laporan sebelumnya dari nomor ini"
    days = (now - standing.last_at).total_seconds() / 86400 if standing.last_at else 0
    last = "hari ini" if days < 1 else f"terakhir {days:.0f} hari lalu"
    record = (
        f"{standing.prank_count} kali tercatat laporan palsu/iseng ({last}, "
        f"skor {_score_text(standing.score)})"
    )
    if not standing.flagged:
        return f"Nomor ini {record}"
    tail = "; sudah diteruskan ke Perwira Piket" if standing.open_flag else ""
    return f"PERHATIAN: nomor ini {record}{tail}"


def _flag_scope(jurisdiction_ids: Collection[int] | None):  # noqa: ANN202
    if jurisdiction_ids is None:
        return true()
    ids = list(jurisdiction_ids)
    return Incident.polsek_id.in_(ids) | Incident.polres_id.in_(ids) | Incident.polda_id.in_(ids)


def list_flags(
    session: Session,
    *,
    jurisdiction_ids: Collection[int] | None,
    include_reviewed: bool = False,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Flags in scope (by the call that raised them), open first, newest first."""
    now = now or datetime.now(UTC)
    query = (
        select(CallerFlag, Incident)
        .join(Incident, Incident.id == CallerFlag.incident_id)
        .where(_flag_scope(jurisdiction_ids))
        .order_by(CallerFlag.reviewed_at.is_not(None), CallerFlag.raised_at.desc())
        .limit(200)
    )
    if not include_reviewed:
        query = query.where(CallerFlag.reviewed_at.is_(None))
    return [_flag_out(session, flag, incident, now) for flag, incident in session.execute(query)]


def _flag_out(session: Session, flag: CallerFlag, incident: Incident, now: datetime) -> dict:
    standing = prank_standing(session, phone=flag.phone, now=now)
    return {
        "id": flag.id,
        "phone": flag.phone,
        "incident_id": flag.incident_id,
        "polres_id": incident.polres_id,
        "raised_at": flag.raised_at,
        "score_at_raise": flag.score,
        "prank_count_at_raise": flag.prank_count,
        "score_now": standing.score,
        "prank_count": standing.prank_count,
        "last_prank_at": standing.last_at,
        "reviewed_at": flag.reviewed_at,
        "reviewed_by": flag.reviewed_by,
        "review_outcome": flag.review_outcome,
        "review_label": REVIEW_LABELS.get(flag.review_outcome or ""),
        "review_note": flag.review_note,
    }


def review_flag(
    session: Session,
    *,
    flag_id: int,
    outcome: str,
    note: str,
    actor: str,
    jurisdiction_ids: Collection[int] | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The Perwira Piket's review of a flag (what was done about the number); closes it."""
    now = now or datetime.now(UTC)
    if outcome not in REVIEW_LABELS:
        choices = ", ".join(REVIEW_LABELS)
        raise InvalidInput(f"hasil harus salah satu dari {choices}", field="outcome")
    row = session.execute(
        select(CallerFlag, Incident)
        .join(Incident, Incident.id == CallerFlag.incident_id)
        .where(CallerFlag.id == flag_id, _flag_scope(jurisdiction_ids))
        .with_for_update(of=CallerFlag)
    ).one_or_none()
    if row is None:
        raise NotFound(f"penandaan {flag_id} tidak ditemukan", field="flag_id")
    flag, incident = row
    if flag.reviewed_at is not None:
        raise Conflict(f"penandaan {flag_id} sudah ditinjau", field="flag_id")
    flag.reviewed_at, flag.reviewed_by = now, actor
    flag.review_outcome, flag.review_note = outcome, note
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="caller_flag_reviewed",
        at=now,
        message=f"Penandaan nomor {flag.phone} ditinjau: {REVIEW_LABELS[outcome]}"
        + (f" ({note})" if note else ""),
        detail={"flag_id": flag.id, "outcome": outcome},
    )
    session.flush()
    return _flag_out(session, flag, incident, now)
