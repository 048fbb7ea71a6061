"""Who is acting at the desk, and who may see a reporter's personal data.

A reporter's NIK, birth date, address and phone are shown only to the SPKT desk that holds
the report and to the investigators of its case; every such view is in the security audit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import record_audit
from core.errors import Forbidden
from spkt.models import Investigator, Report

PERSONAL_FIELDS = ("reporter_nik", "reporter_birth_date", "reporter_address", "reporter_phone")
MASK = "•••"


@dataclass(frozen=True)
class Actor:
    """The user acting: their role, own jurisdiction, scope and (for a desk) function."""

    username: str
    role: str | None
    user_id: int | None = None
    jurisdiction_id: int | None = None
    scope_ids: Collection[int] | None = None
    function_code: str | None = None

    def in_scope(self, jurisdiction_id: int | None) -> bool:
        return self.scope_ids is None or jurisdiction_id in self.scope_ids


def is_investigator(session: Session, *, report_id: int, actor: Actor) -> bool:
    """True if the actor investigates the report's case."""
    if actor.user_id is None:
        return False
    query = select(Investigator.user_id).where(
        Investigator.report_id == report_id, Investigator.user_id == actor.user_id
    )
    return session.scalar(query) is not None


def may_see_personal(session: Session, *, report: Report, actor: Actor) -> bool:
    """The desk holding the report (in scope), or an investigator of its case."""
    if actor.role == "spkt" and actor.in_scope(report.jurisdiction_id):
        return True
    return is_investigator(session, report_id=report.id, actor=actor)


def require_reskrim(actor: Actor) -> None:
    """Only the Sat Reskrim desk assesses reports and writes SP2HP."""
    if actor.role != "admin" and not (actor.role == "desk" and actor.function_code == "reskrim"):
        raise Forbidden("hanya meja Sat Reskrim yang boleh melakukan ini", field="role")


def require_desk(actor: Actor) -> None:
    """Only the SPKT desk receives reports and issues documents."""
    if actor.role not in ("spkt", "admin"):
        raise Forbidden("hanya petugas SPKT yang boleh melakukan ini", field="role")


def audit_personal_view(session: Session, *, report: Report, actor: Actor, what: str) -> None:
    """Record that the actor saw the reporter's personal data of a report."""
    record_audit(
        session,
        action="spkt_personal_data",
        decision="allow",
        reason=what,
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        detail={"report_id": report.id, "report_number": report.number},
    )
