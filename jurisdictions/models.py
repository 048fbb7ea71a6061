"""Jurisdiction rows: one table for the Polda -> Polres -> Polsek hierarchy."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from jurisdictions.timezones import ZONES

LEVELS = ("polda", "polres", "polsek")
DEPTH = {"polda": 1, "polres": 2, "polsek": 3}
TIMEZONES = tuple(ZONES)


class Jurisdiction(Base):
    """A police jurisdiction valid from valid_from until valid_to (None: still in force)."""

    __tablename__ = "jurisdictions"
    __table_args__ = (
        CheckConstraint("level IN ('polda', 'polres', 'polsek')", name="level"),
        CheckConstraint("timezone IS NULL OR timezone IN ('WIB', 'WITA', 'WIT')", name="tz"),
        CheckConstraint("response_target_s IS NULL OR response_target_s > 0", name="target"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
        Index("ix_jurisdictions_in_force", "level", "code", "valid_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Text, index=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # Admin (Kemendagri) codes whose union this jurisdiction covers.
    admin_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    response_target_s: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.to_timestamp(0)
    )
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False
    )


class JurisdictionPart(Base):
    """A small piece (ST_Subdivide) of a jurisdiction, kept in step by a database trigger."""

    __tablename__ = "jurisdiction_parts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    # 1 polda, 2 polres, 3 polsek: a lookup prefers the deepest piece covering the point.
    depth: Mapped[int] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POLYGON", srid=4326, spatial_index=True), nullable=False
    )
