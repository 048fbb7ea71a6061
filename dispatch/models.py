"""Dispatch rows: incidents, their append-only log (buku mutasi) and unit assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from jurisdictions.models import Jurisdiction  # noqa: F401  (FK targets must be mapped)
from tracking.models import Unit  # noqa: F401

CHANNELS = ("telepon", "sms", "email", "media_sosial")
VALIDITIES = ("pending", "valid", "invalid", "prank", "duplicate")
# received -> offered (to Polres) -> accepted | escalated (back to Polda) -> dispatched
# -> on_scene -> cleared -> closed; invalid/prank/duplicate go straight to closed.
INCIDENT_STATUSES = (
    "received",
    "offered",
    "accepted",
    "escalated",
    "dispatched",
    "on_scene",
    "cleared",
    "closed",
)
# sent -> acknowledged -> en_route -> on_scene -> cleared; cancelled ends it early.
ASSIGNMENT_STATUSES = ("sent", "acknowledged", "en_route", "on_scene", "cleared", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


CALL_SOURCES = ("telephony", "console")
CALL_STATUSES = ("waiting", "answered", "abandoned")
T0_SOURCES = ("telephony", "console", "entered", "created")


class Call(Base):
    """A call as the system saw it: rung at the PABX (telephony hook) or taken at the console.

    rang_at is T0 of the incident made from it; seen_at is when this server learned of it, and
    a ring time may never lie after it (beyond clock skew).
    """

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(_in("source", CALL_SOURCES), name="source"),
        CheckConstraint(_in("status", CALL_STATUSES), name="status"),
        CheckConstraint("rang_at <= seen_at + interval '60 seconds'", name="rang_before_seen"),
        Index(
            "uq_calls_external_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller_phone: Mapped[str] = mapped_column(Text)  # normalised; "" when the line hides it
    line: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    rang_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(Text, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(Text)  # the PABX/CTI's own call id


class Incident(Base):
    """One 110 call placed on the map, resolved to Polda/Polres/Polsek at creation."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("validity", VALIDITIES), name="validity"),
        CheckConstraint(_in("status", INCIDENT_STATUSES), name="status"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority"),
        CheckConstraint("handler_level IN ('polda', 'polres')", name="handler"),
        CheckConstraint(_in("t0_source", T0_SOURCES), name="t0_source"),
        Index(
            "ix_incidents_open_created", "created_at", postgresql_where=text("closed_at IS NULL")
        ),
        Index(
            "ix_incidents_awaiting_accept",
            "accept_deadline",
            postgresql_where=text(
                "accepted_at IS NULL AND escalated_at IS NULL AND closed_at IS NULL"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller_name: Mapped[str] = mapped_column(Text)
    caller_phone: Mapped[str] = mapped_column(Text, index=True)  # normalised: 08...
    channel: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text, index=True)
    priority: Mapped[int] = mapped_column(Integer)  # 1 = darurat, 3 = rendah
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    # The point as an operator says it (places.reverse), at creation and after a pin move.
    location_description: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    polda_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    polres_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    polsek_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    location_match: Mapped[str] = mapped_column(Text)  # inside | nearest
    response_target_s: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[str] = mapped_column(Text, default="pending")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    status: Mapped[str] = mapped_column(Text, default="received", index=True)
    handler_level: Mapped[str] = mapped_column(Text, default="polda")
    accept_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    call_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    en_route_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    on_scene_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disposition: Mapped[str | None] = mapped_column(Text)
    callback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    callback_outcome: Mapped[str | None] = mapped_column(Text)
    callback_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text, default="operator")
    # T0 = call_received_at, from the call record (telephony ring or "Terima panggilan").
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), unique=True)
    t0_source: Mapped[str] = mapped_column(Text, default="created", server_default="created")
    # First arrival confirmed by GPS (True), only claimed by a crew or operator (False).
    arrival_verified: Mapped[bool | None] = mapped_column(Boolean)


class IncidentLog(Base):
    """Buku mutasi: one row per change (who, when, what); a trigger forbids UPDATE/DELETE."""

    __tablename__ = "incident_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)  # Bahasa Indonesia, shown to operators
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Assignment(Base):
    """A unit sent to an incident; at most one active (released_at IS NULL) per unit."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint(_in("status", ASSIGNMENT_STATUSES), name="status"),
        Index(
            "uq_assignments_active_unit",
            "unit_id",
            unique=True,
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    job_id: Mapped[str] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(Text, default="sent")
    eta_s: Mapped[float | None] = mapped_column(Float)
    assigned_by: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    send_count: Mapped[int] = mapped_column(Integer, default=1)
    acked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    alerted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    en_route_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    inside_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    on_scene_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrival_source: Mapped[str | None] = mapped_column(Text)  # gps | crew | tracker
    # At a manual arrival: the unit's latest fix distance to the scene and its age.
    arrival_distance_m: Mapped[float | None] = mapped_column(Float)
    arrival_fix_age_s: Mapped[float | None] = mapped_column(Float)
    arrival_verified: Mapped[bool | None] = mapped_column(Boolean)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


BANTUAN_STATUSES = ("pending", "approved", "refused", "cancelled")


class BantuanRequest(Base):
    """A request for help: a unit of another Polres for an incident, until that Polres (or
    the Polda) approves or refuses it. At most one pending request per incident and unit.
    """

    __tablename__ = "bantuan_requests"
    __table_args__ = (
        CheckConstraint(_in("status", BANTUAN_STATUSES), name="status"),
        Index(
            "uq_bantuan_pending",
            "incident_id",
            "unit_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The asking side (the incident's Polres, else its Polda) and the lending side (the unit's).
    requester_jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
    lender_jurisdiction_id: Mapped[int | None] = mapped_column(
        ForeignKey("jurisdictions.id"), index=True
    )
    status: Mapped[str] = mapped_column(Text, default="pending")
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))


class BantuanLog(Base):
    """Each side's record of a bantuan request (one row per side per step); append-only."""

    __tablename__ = "bantuan_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("bantuan_requests.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)  # requested | approved | refused
    message: Mapped[str] = mapped_column(Text)


PRANK_REVIEW_OUTCOMES = ("peringatan", "usul_blokir", "pantau")


class CallerPrank(Base):
    """One prank marking of a caller's number (the incident judged a prank, and when)."""

    __tablename__ = "caller_pranks"
    __table_args__ = (Index("ix_caller_pranks_phone_marked_at", "phone", "marked_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    phone: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text)


class CallerFlag(Base):
    """A repeated-prank number brought to the Perwira Piket; open until reviewed."""

    __tablename__ = "caller_flags"
    __table_args__ = (
        CheckConstraint(_in("review_outcome", PRANK_REVIEW_OUTCOMES), name="review_outcome"),
        CheckConstraint("(reviewed_at IS NULL) = (review_outcome IS NULL)", name="review_complete"),
        Index(
            "uq_caller_flags_open_phone",
            "phone",
            unique=True,
            postgresql_where=text("reviewed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(Text)
    # The prank call that pushed the number over the threshold (its jurisdiction scopes the flag).
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    score: Mapped[float] = mapped_column(Float)
    prank_count: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    review_outcome: Mapped[str | None] = mapped_column(Text)
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
