"""Piket rows: shifts and their members, the shift's buku mutasi, the Perwira Piket's orders,
forwards to the fungsi terkait, and the archived daily reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import api.models  # noqa: F401  (users are FK targets)
import dispatch.models  # noqa: F401  (incidents are FK targets)
from core.db import Base

# preparing: the incoming shift runs its checks and waits for the hand-over; open: on duty;
# closed: handed over (closed_at = the incoming shift's opened_at, so no minute is unmanned).
SHIFT_STATUSES = ("preparing", "open", "closed")
ORDER_STATUSES = ("open", "done", "cancelled")
# sent -> acknowledged (the desk took it) -> done (the desk reported back its result)
FORWARD_STATUSES = ("sent", "acknowledged", "done")
JOURNAL_KINDS = ("check", "opened", "handover", "closed", "visitor", "equipment", "order", "note")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shift(Base):
    """One piket shift of a command centre (a Polda or Polres call centre)."""

    __tablename__ = "piket_shifts"
    __table_args__ = (
        CheckConstraint(_in("status", SHIFT_STATUSES), name="status"),
        CheckConstraint("planned_hours BETWEEN 1 AND 24", name="hours"),
        CheckConstraint("closed_at IS NULL OR closed_at >= opened_at", name="interval"),
        # One shift on duty and at most one getting ready per command centre.
        Index(
            "uq_piket_shifts_open",
            "center_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "uq_piket_shifts_preparing",
            "center_id",
            unique=True,
            postgresql_where=text("status = 'preparing'"),
        ),
        Index("ix_piket_shifts_center_opened", "center_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    status: Mapped[str] = mapped_column(Text, default="preparing")
    planned_hours: Mapped[int] = mapped_column(Integer, default=12)
    perwira_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The SOP's preparation list: [{"code", "label", "ok", "note"}], checked before opening.
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # Hand-over from the outgoing shift: what was open at that moment, and its notes.
    handover_from_id: Mapped[int | None] = mapped_column(ForeignKey("piket_shifts.id"))
    handover: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    handover_acknowledged_by: Mapped[str | None] = mapped_column(Text)


class ShiftMember(Base):
    """An officer on a shift: the Perwira Piket or one of the piket members."""

    __tablename__ = "piket_shift_members"
    __table_args__ = (
        CheckConstraint("position IN ('perwira', 'anggota')", name="position"),
        UniqueConstraint("shift_id", "name", name="uq_piket_shift_members_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("piket_shifts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    rank: Mapped[str] = mapped_column(Text, default="")
    nrp: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[str] = mapped_column(Text, default="anggota")


class JournalEntry(Base):
    """A manual buku mutasi entry of a shift (visitor, equipment fault, order, note, checks).

    Incident events are not copied here: the shift's journal reads them from incident_log.
    A trigger refuses UPDATE and DELETE.
    """

    __tablename__ = "piket_journal"
    __table_args__ = (CheckConstraint(_in("kind", JOURNAL_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("piket_shifts.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Order(Base):
    """An order or direction of the Perwira Piket on an incident: what, to whom, by when."""

    __tablename__ = "piket_orders"
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="status"),
        Index("ix_piket_orders_pending", "due_at", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("piket_shifts.id"), index=True)
    given_by: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    instruction: Mapped[str] = mapped_column(Text)
    assignee: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(Text, default="open")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)


class OrderAction(Base):
    """An action the operator took on an order (append-only, like the buku mutasi)."""

    __tablename__ = "piket_order_actions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("piket_orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)


class Forward(Base):
    """An incident forwarded to a function's desk in a jurisdiction, followed to its result."""

    __tablename__ = "piket_forwards"
    __table_args__ = (
        CheckConstraint(_in("status", FORWARD_STATUSES), name="status"),
        CheckConstraint("function_code ~ '^[a-z0-9_]{2,32}$'", name="function_code"),
        UniqueConstraint("incident_id", "function_code", name="uq_piket_forwards_function"),
        Index(
            "ix_piket_forwards_unacknowledged",
            "ack_deadline",
            postgresql_where=text("acknowledged_at IS NULL AND escalated_at IS NULL"),
        ),
        Index("ix_piket_forwards_desk", "function_code", "jurisdiction_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    function_code: Mapped[str] = mapped_column(Text)
    # The desk's jurisdiction: the incident's Polres (its Polda when there is none).
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    status: Mapped[str] = mapped_column(Text, default="sent")
    urgent: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    forwarded_by: Mapped[str] = mapped_column(Text)
    forwarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ack_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result_by: Mapped[str | None] = mapped_column(Text)
    result_note: Mapped[str | None] = mapped_column(Text)


class DailyReport(Base):
    """The archived daily report of a command centre for one local date."""

    __tablename__ = "piket_daily_reports"
    __table_args__ = (
        UniqueConstraint("center_id", "report_date", name="uq_piket_daily_reports_center_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    report_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    generated_by: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by: Mapped[str | None] = mapped_column(Text)
    # Set when the due time passed without a signature (the Direktur sees it flagged).
    flagged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
