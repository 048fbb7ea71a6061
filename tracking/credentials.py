"""Per-unit broker credentials: issue, revoke, list, and the broker's files rendered from them.

The database is the source of truth (`unit_credentials`, only bcrypt password hashes, never
the password). `apply_to_broker` renders the units' broker users (one line each, with subject
permissions), has core.embedded_broker assemble them with the platform accounts (the file is
replaced atomically), and makes the running broker reload them (SIGHUP). A unit may publish
only on its own topics and read only its own jobs and link.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, Text, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base
from core.embedded_broker import (
    UNITS_USERS,
    assemble_broker_auth,
    atomic_write,
    broker_dir,
    broker_password_hash,
    broker_user,
    reload_broker,
)
from core.errors import InvalidInput, NotFound
from core.settings import Settings
from tracking.decode import UNIT_USER_PREFIX
from tracking.models import Unit

# Call signs become topic levels and subjects: no wildcards, separators, dots or spaces.
SAFE_CALL_SIGN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
log = logging.getLogger("siaga.credentials")


def unit_grants(
    root: str, call_sign: str, owntracks_root: str = "owntracks"
) -> tuple[list[str], list[str]]:
    """(publish, subscribe) topics of a unit: its own reports; its own jobs and link.

    An OwnTracks app publishes under `owntracks/<its user>/<device>/...`: its user is the
    unit's broker account, so it may publish (and read back its /cmd) only there.
    """
    own = f"{root}/units/{call_sign}"
    owntracks = f"{owntracks_root}/{UNIT_USER_PREFIX}{call_sign}/#"
    publish = [f"{own}/{k}" for k in ("location", "ack", "status", "link")]
    return [*publish, f"{own}/location/+", owntracks], [f"{own}/jobs", f"{own}/link", owntracks]


class UnitCredential(Base):
    """One broker account of a unit; revoked_at set = no longer valid (kept for the record)."""

    __tablename__ = "unit_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    issued_by: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class CredentialRow:
    call_sign: str
    username: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None


def _unit(session: Session, call_sign: str) -> Unit:
    if not SAFE_CALL_SIGN.match(call_sign):
        raise InvalidInput("tanda panggil hanya huruf, angka, _ dan -", field="call_sign")
    unit = session.scalar(select(Unit).where(Unit.call_sign == call_sign))
    if unit is None:
        raise NotFound(f"unit {call_sign} tidak ada", field="call_sign")
    return unit


def issue_credentials(
    session: Session, *, call_sign: str, issued_by: str = ""
) -> tuple[UnitCredential, str]:
    """New broker credentials for a unit (any previous ones are revoked); (row, password)."""
    unit = _unit(session, call_sign)
    revoke_credentials(session, call_sign=call_sign, missing_ok=True)
    password = secrets.token_urlsafe(18)
    row = UnitCredential(
        unit_id=unit.id,
        username=f"{UNIT_USER_PREFIX}{unit.call_sign}",
        password_hash=broker_password_hash(password),
        issued_by=issued_by,
    )
    session.add(row)
    session.flush()
    return row, password


def revoke_credentials(
    session: Session, *, call_sign: str, missing_ok: bool = False
) -> UnitCredential | None:
    """Revoke the unit's active credentials; NotFound if it has none (unless missing_ok)."""
    unit = _unit(session, call_sign)
    row = session.scalar(
        select(UnitCredential).where(
            UnitCredential.unit_id == unit.id, UnitCredential.revoked_at.is_(None)
        )
    )
    if row is None:
        if missing_ok:
            return None
        raise NotFound(f"unit {call_sign} tidak punya kredensial aktif", field="call_sign")
    row.revoked_at = datetime.now(UTC)
    session.flush()
    return row


def list_credentials(session: Session, *, include_revoked: bool = False) -> list[CredentialRow]:
    """Credentials by call sign (active only unless include_revoked)."""
    query = (
        select(Unit.call_sign, UnitCredential)
        .join(Unit, Unit.id == UnitCredential.unit_id)
        .order_by(Unit.call_sign, UnitCredential.issued_at)
    )
    if not include_revoked:
        query = query.where(UnitCredential.revoked_at.is_(None))
    return [
        CredentialRow(cs, row.username, row.issued_at, row.issued_by, row.revoked_at)
        for cs, row in session.execute(query)
    ]


def render_unit_users(
    session: Session, *, topic_root: str, owntracks_root: str = "owntracks"
) -> str:
    """The broker user lines of every active unit credential."""
    rows = session.execute(
        select(Unit.call_sign, UnitCredential)
        .join(Unit, Unit.id == UnitCredential.unit_id)
        .where(UnitCredential.revoked_at.is_(None))
        .order_by(Unit.call_sign)
    ).all()
    lines = []
    for call_sign, row in rows:
        if not row.password_hash.startswith("$2"):
            # Issued for the former broker (Mosquitto PBKDF2): nats-server reads bcrypt only.
            log.warning("credentials of %s predate the broker change: issue new ones", call_sign)
            continue
        if SAFE_CALL_SIGN.match(call_sign):
            publish, subscribe = unit_grants(topic_root, call_sign, owntracks_root)
            lines.append(broker_user(row.username, row.password_hash, publish, subscribe))
    return "".join(f"{line}\n" for line in lines)


def apply_to_broker(session: Session, settings: Settings) -> bool:
    """Rewrite the embedded broker's password and ACL files, or with SIAGA_BROKER_UNITS_FILE
    (Docker) that file, which the broker service reloads itself; True if a broker reloaded now.

    Call after the credential change is committed (or inside the transaction that makes it:
    the files then show what the session sees).
    """
    if settings.broker_units_file is None and not settings.uses_embedded_mqtt:
        raise InvalidInput(
            "SIAGA_MQTT_URL points at an external broker: its password and ACL files are "
            "managed there (Docker: run it in the migrate service, which has "
            "SIAGA_BROKER_UNITS_FILE)",
            field="SIAGA_MQTT_URL",
        )
    # Serialise concurrent rewrites (two admins issuing at once) on one advisory lock.
    session.execute(text("SELECT pg_advisory_xact_lock(110007)"))
    users = render_unit_users(
        session, topic_root=settings.mqtt_topic_root, owntracks_root=settings.owntracks_topic_root
    )
    if settings.broker_units_file is not None:
        # Docker's broker service watches the file and reloads itself (deploy/nats/broker.sh).
        atomic_write(settings.broker_units_file, users)
        return False
    atomic_write(broker_dir(settings) / UNITS_USERS, users)
    assemble_broker_auth(settings)
    return reload_broker(settings)
