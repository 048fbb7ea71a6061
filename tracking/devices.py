"""HTTP trackers tied to units: Traccar Client phones (OsmAnd protocol) and the devices a
Traccar server forwards. Issue, revoke, list, and resolve a report's device to its unit.

An OsmAnd device is identified by a secret that Siaga issues (the app's "device identifier");
only its SHA-256 is stored. A forwarded device is named by Traccar's `uniqueId` (often the
IMEI, not a secret): the shared forwarding secret authenticates the Traccar server instead.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy import DateTime, ForeignKey, Integer, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, unique_or
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tracking.models import Unit
from tracking.trackers import acknowledges_jobs, set_tracker_kind

PROTOCOLS = ("osmand", "traccar")
# Crockford's base32 (no i, l, o, u): read aloud or typed on a phone without mix-ups.
IDENTIFIER_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
IDENTIFIER_GROUPS = 4  # 4 groups of 4 symbols: 80 random bits
MAX_UNIQUE_ID_CHARS = 128


class TrackerDevice(Base):
    """One HTTP tracker of a unit; revoked_at set = no longer accepted (kept for the record)."""

    __tablename__ = "tracker_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    protocol: Mapped[str] = mapped_column(Text)
    device_key: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    issued_by: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class DeviceRow:
    id: int
    call_sign: str
    protocol: str
    unique_id: str | None  # Traccar's uniqueId; never the secret of an OsmAnd device
    label: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None


def device_row(session: Session, row: TrackerDevice) -> DeviceRow:
    """The listed form of one device."""
    [listed] = [
        d
        for d in list_devices(session, unit_id=row.unit_id, include_revoked=True)
        if d.id == row.id
    ]
    return listed


@dataclass(frozen=True)
class ReportingUnit:
    """The unit a report belongs to, resolved from its device."""

    unit_id: int
    call_sign: str
    device_id: int
    link_connected: bool


def identifier_key(identifier: str) -> str:
    """What is stored for an OsmAnd identifier: SHA-256 of its normalised form."""
    normalised = identifier.strip().lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def new_identifier() -> str:
    """A random device identifier such as 7k2m-9q4x-8r3t-6wza."""
    symbols = "".join(secrets.choice(IDENTIFIER_ALPHABET) for _ in range(4 * IDENTIFIER_GROUPS))
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def client_config_url(server_url: str, identifier: str, *, stale_s: float) -> str:
    """The URL a Traccar Client 9 configuration QR code carries: server URL, identifier, and
    settings that keep the unit's fix fresh (the app's defaults, a fix every 300 s and none
    while standing still, would leave it stale for most of a shift)."""
    settings = {
        "id": identifier,
        "accuracy": "high",
        "interval": str(max(5, int(stale_s // 4))),  # several fixes within the stale limit
        "distance": "0",  # report by time, not only after moving 75 m
        "heartbeat": str(max(10, int(stale_s // 2))),  # a fix while the car waits, too
        "buffer": "true",  # keep fixes while offline and send them later
    }
    base = server_url.rstrip("/")
    if not base.endswith("/osmand"):
        base += "/osmand"
    return f"{base}?{urlencode(settings)}"


def _unit(session: Session, call_sign: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.call_sign == call_sign))
    if unit is None:
        raise NotFound(f"unit {call_sign} tidak ada", field="call_sign")
    return unit


def _new_key(protocol: str, unique_id: str | None) -> tuple[str, str]:
    """(identifier the device sends, what is stored) for a new device."""
    if protocol == "osmand":
        identifier = new_identifier()
        return identifier, identifier_key(identifier)
    if protocol != "traccar":
        raise InvalidInput(
            f"protokol harus salah satu dari {', '.join(PROTOCOLS)}", field="protocol"
        )
    identifier = (unique_id or "").strip()
    if not identifier or len(identifier) > MAX_UNIQUE_ID_CHARS:
        raise InvalidInput(
            f"uniqueId Traccar wajib diisi (1-{MAX_UNIQUE_ID_CHARS} karakter)", field="unique_id"
        )
    return identifier, identifier


def issue_device(
    session: Session,
    *,
    call_sign: str,
    protocol: str,
    unique_id: str | None = None,
    label: str = "",
    issued_by: str = "",
) -> tuple[TrackerDevice, str]:
    """Register a tracker for a unit; (row, identifier the device must send).

    osmand: a new secret identifier is generated (shown once). traccar: `unique_id` is the
    device's identifier in the Traccar server; it may name one unit at a time.
    """
    unit = _unit(session, call_sign)
    identifier, key = _new_key(protocol, unique_id)
    if acknowledges_jobs(unit.tracker_kind):
        # Traccar Client and Traccar's devices cannot acknowledge a job on MQTT: the crew
        # does it on the unit page, and the link is judged by fix freshness.
        set_tracker_kind(session, unit=unit, tracker_kind="hardware")
    row = TrackerDevice(
        unit_id=unit.id, protocol=protocol, device_key=key, label=label, issued_by=issued_by
    )
    taken = Conflict(f"uniqueId {identifier} sudah dipakai unit lain", field="unique_id")
    with unique_or(taken, session):
        session.add(row)
    return row, identifier


def revoke_device(session: Session, *, device_id: int, unit_id: int | None = None) -> TrackerDevice:
    """Stop accepting a device's reports (NotFound if unknown, already revoked, or not the
    given unit's)."""
    row = session.get(TrackerDevice, device_id)
    if row is None or row.revoked_at is not None or unit_id not in (None, row.unit_id):
        raise NotFound(f"perangkat {device_id} tidak ada atau sudah dicabut", field="device_id")
    row.revoked_at = datetime.now(UTC)
    session.flush()
    return row


def list_devices(
    session: Session,
    *,
    call_sign: str | None = None,
    unit_id: int | None = None,
    include_revoked: bool = False,
) -> list[DeviceRow]:
    """Devices by call sign and issue time (active only unless include_revoked)."""
    query = (
        select(Unit.call_sign, TrackerDevice)
        .join(Unit, Unit.id == TrackerDevice.unit_id)
        .order_by(Unit.call_sign, TrackerDevice.issued_at, TrackerDevice.id)
    )
    if call_sign is not None:
        query = query.where(Unit.call_sign == call_sign)
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    if not include_revoked:
        query = query.where(TrackerDevice.revoked_at.is_(None))
    return [
        DeviceRow(
            row.id,
            sign,
            row.protocol,
            row.device_key if row.protocol == "traccar" else None,
            row.label,
            row.issued_at,
            row.issued_by,
            row.revoked_at,
        )
        for sign, row in session.execute(query)
    ]


def resolve_device(session: Session, *, protocol: str, identifier: str) -> ReportingUnit:
    """The unit of an active device; Forbidden (nothing is stored) for an unknown or revoked one."""
    key = identifier_key(identifier) if protocol == "osmand" else identifier.strip()
    row = session.execute(
        select(TrackerDevice.id, Unit.id, Unit.call_sign, Unit.link_connected)
        .join(Unit, Unit.id == TrackerDevice.unit_id)
        .where(
            TrackerDevice.protocol == protocol,
            TrackerDevice.device_key == key,
            TrackerDevice.revoked_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        field = "id" if protocol == "osmand" else "device.uniqueId"
        raise Forbidden(
            "perangkat tidak terdaftar atau sudah dicabut: minta admin Siaga mendaftarkannya",
            field=field,
        )
    device_id, unit_id, call_sign, link_connected = row
    return ReportingUnit(unit_id, call_sign, device_id, link_connected)
