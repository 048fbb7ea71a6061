"""Tracking rows: units, their latest and historic positions, tracker events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from tracking.unit_status import STATUSES  # noqa: F401  (the one table)

KINDS = ("R4", "R2", "boat", "other")
EVENT_KINDS = ("ack", "status")


class Unit(Base):
    """A patrol unit (car, motorcycle, boat) with its dispatch status and tracker link state."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("link_reason IN ('no_fix')", name="link_reason"),
        CheckConstraint("kind IN ('R4', 'R2', 'boat', 'other')", name="kind"),
        CheckConstraint(
            "status IN ('available', 'dispatched', 'en_route', 'on_scene', 'returning', "
            "'off_duty', 'out_of_service')",
            name="status",
        ),
        CheckConstraint("call_sign ~ '^[A-Za-z0-9_-]{1,64}$'", name="call_sign"),
        CheckConstraint("jsonb_typeof(crew) = 'array'", name="crew"),
        CheckConstraint("tracker_kind IN ('siaga', 'owntracks', 'hardware')", name="tracker_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sign: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text)
    home_jurisdiction_id: Mapped[int | None] = mapped_column(
        ForeignKey("jurisdictions.id"), index=True
    )
    crew: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    status: Mapped[str] = mapped_column(Text, default="available", index=True)
    status_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # Link liveness (tracker connected, from the retained /link topic and its last will),
    # kept apart from fix freshness (unit_positions_latest.fixed_at).
    link_connected: Mapped[bool] = mapped_column(Boolean, default=False)
    link_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why the link is down when Siaga judged it so ('no_fix': tracking/link_freshness.py).
    link_reason: Mapped[str | None] = mapped_column(Text)
    # What reports for the unit (tracking/trackers.py): only a 'siaga' tracker acknowledges
    # jobs on MQTT; the others' jobs are acknowledged on the crew's phone page.
    tracker_kind: Mapped[str] = mapped_column(Text, default="siaga", server_default="siaga")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UnitPositionLatest(Base):
    """The newest fix of each unit; it only moves forward in time."""

    __tablename__ = "unit_positions_latest"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    fixed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    speed_mps: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


class UnitPosition(Base):
    """Append-only fix history, partitioned by month of fixed_at, raw payload kept."""

    __tablename__ = "unit_positions"
    __table_args__ = {"postgresql_partition_by": "RANGE (fixed_at)"}

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fixed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # No spatial index on the history: read by unit and time (migration 0007 says why).
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=False
    )
    speed_mps: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str] = mapped_column(Text)


class UnitEvent(Base):
    """A tracker report besides fixes: a job acknowledgement or a status change."""

    __tablename__ = "unit_events"
    __table_args__ = (
        CheckConstraint("kind IN ('ack', 'status')", name="kind"),
        Index("ix_unit_events_dedup_received", "dedup_key", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(Text, index=True)
    status: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # md5 of topic and payload: the same report within SIAGA_INGEST_EVENT_DEDUP_S is a duplicate.
    dedup_key: Mapped[str] = mapped_column(Text)


class UnitStatusChange(Base):
    """Who changed a unit's status, when and why (append-only)."""

    __tablename__ = "unit_status_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(Text)
    to_status: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IngestRejectCount(Base):
    """Rejected ingest messages per UTC day and reason."""

    __tablename__ = "ingest_reject_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
