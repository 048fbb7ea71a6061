"""Jurisdiction rows: one table for the Polda -> Polres -> Polsek hierarchy."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

LEVELS = ("polda", "polres", "polsek")
TIMEZONES = ("WIB", "WITA", "WIT")


class Jurisdiction(Base):
    """A police jurisdiction valid from valid_from until valid_to (None: still in force)."""

    __tablename__ = "jurisdictions"
    __table_args__ = (
        CheckConstraint("level IN ('polda', 'polres', 'polsek')", name="level"),
        CheckConstraint("timezone IS NULL OR timezone IN ('WIB', 'WITA', 'WIT')", name="tz"),
        CheckConstraint("response_target_s IS NULL OR response_target_s > 0", name="target"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
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
