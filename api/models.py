"""Security rows: API users, login attempts and the append-only security audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import jurisdictions.models  # noqa: F401  (users reference jurisdictions and units)
import tracking.models  # noqa: F401
from core.db import Base

ROLES = (
    "polda_operator",
    "polres_operator",
    "polsek_operator",
    "commander",
    "planner",
    "admin",
    "unit",
    # the call centre's own work (piket, SPKT): see piket/functions.py for desk functions
    "perwira_piket",
    "direktur",
    "desk",
    "spkt",
    # a PABX/CTI system posting calls as they ring (POST /api/calls)
    "telephony",
)
# Roles that may have no jurisdiction (None = the whole country).
NATIONAL_ROLES = ("admin", "commander", "planner")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(Base):
    """An API user with one role, tied to a jurisdiction (and to a unit for role 'unit')."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("username ~ '^[a-z0-9_.-]{3,64}$'", name="username"),
        CheckConstraint(
            f"{_in('role', NATIONAL_ROLES)} OR jurisdiction_id IS NOT NULL", name="jurisdiction"
        ),
        CheckConstraint("(role = 'unit') = (unit_id IS NOT NULL)", name="unit"),
        CheckConstraint("(role = 'desk') = (function_code IS NOT NULL)", name="function"),
        CheckConstraint("function_code ~ '^[a-z0-9_]{2,32}$'", name="function_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(Text, unique=True)
    full_name: Mapped[str] = mapped_column(Text, default="")
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    # Role 'desk' only: which function's desk (piket/functions.py), e.g. 'reskrim'.
    function_code: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class LoginAttempt(Base):
    """One login attempt; failed ones within a window rate-limit further attempts."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    username: Mapped[str] = mapped_column(Text, index=True)
    client_ip: Mapped[str] = mapped_column(Text, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class SecurityAudit(Base):
    """One security decision (login, denial, account change); never updated or deleted.

    No foreign keys on purpose: the record outlives the user or unit it names.
    """

    __tablename__ = "security_audit"
    __table_args__ = (CheckConstraint("decision IN ('allow', 'deny')", name="decision"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    action: Mapped[str] = mapped_column(Text, index=True)
    decision: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    client_ip: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class AuthSession(Base):
    """A device's login: its current refresh token (hashed), rotated at every use.

    kind 'wall' is a commander's read-only wall-screen credential. A refresh token presented
    again after its rotation (previous_hash) revokes the session: it was copied.
    """

    __tablename__ = "auth_sessions"
    __table_args__ = (CheckConstraint("kind IN ('console', 'wall')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text, default="console")
    name: Mapped[str] = mapped_column(Text, default="")
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    previous_hash: Mapped[str | None] = mapped_column(Text, index=True)
    # The user's jurisdiction when the session began: moving the user ends the session.
    jurisdiction_id: Mapped[int | None] = mapped_column(Integer)
    client_ip: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
