"""Tracker kinds and OwnTracks keys: which units acknowledge jobs on MQTT, which on the phone.

One module owns the rule. A 'siaga' tracker (the project's protocol, tracking/simulator.py)
acknowledges each job on /ack; an OwnTracks app or a hardware tracker (OsmAnd, Traccar)
cannot, so its unit's jobs are shown and acknowledged on the crew's phone page (/unit), and
its link is judged by fix freshness and its will (OwnTracks: `_type=lwt`; an HTTP tracker's
silence: tracking/link_freshness.py), never by a /link topic it does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Text, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base
from core.errors import InvalidInput
from tracking.models import Unit

TRACKER_KINDS = ("siaga", "owntracks", "hardware")
# An OwnTracks Device ID as one MQTT topic level the broker accepts (no dots, no wildcards).
DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
ACKNOWLEDGING_KINDS = frozenset({"siaga"})
TRACKER_LABELS = {
    "siaga": "pelacak Siaga (konfirmasi lewat MQTT)",
    "owntracks": "aplikasi OwnTracks (konfirmasi di halaman unit)",
    "hardware": "pelacak perangkat keras (konfirmasi di halaman unit)",
}


class UnitTrackerKey(Base):
    """The passphrase an OwnTracks app seals its messages with (Settings > Encryption key)."""

    __tablename__ = "unit_tracker_keys"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    owntracks_key: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    set_by: Mapped[str] = mapped_column(Text, default="")


class UnitOwnTracksDevice(Base):
    """The Device ID a unit's OwnTracks app publishes under: owntracks/unit-<CS>/<device>."""

    __tablename__ = "unit_owntracks_devices"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    device: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    set_by: Mapped[str] = mapped_column(Text, default="")


def acknowledges_jobs(tracker_kind: str) -> bool:
    """Whether the unit's tracker sends an MQTT /ack for each job."""
    return tracker_kind in ACKNOWLEDGING_KINDS


def check_tracker_kind(tracker_kind: str) -> None:
    if tracker_kind not in TRACKER_KINDS:
        raise InvalidInput(
            f"jenis pelacak harus salah satu dari {', '.join(TRACKER_KINDS)}", field="tracker_kind"
        )


def set_tracker_kind(session: Session, *, unit: Unit, tracker_kind: str) -> None:
    """Set what reports for the unit."""
    check_tracker_kind(tracker_kind)
    unit.tracker_kind = tracker_kind
    session.flush()


@dataclass(frozen=True, slots=True)
class OwnTracksKeyInfo:
    """Whether a unit has an OwnTracks key, since when and from whom; never the key itself."""

    key_set: bool
    set_at: datetime | None = None
    set_by: str | None = None
    device: str | None = None  # the app's Device ID, where its job notices go


def check_owntracks_key(passphrase: str) -> bytes:
    """The passphrase's UTF-8 bytes; InvalidInput unless 1-32 bytes of printable text."""
    try:
        data = passphrase.encode()
    except UnicodeEncodeError:
        raise InvalidInput(
            "kunci OwnTracks bukan teks UTF-8 yang sah", field="owntracks_key"
        ) from None
    if not 1 <= len(data) <= 32:
        raise InvalidInput("kunci OwnTracks harus 1 sampai 32 byte", field="owntracks_key")
    if any(not ch.isprintable() for ch in passphrase):
        raise InvalidInput(
            "kunci OwnTracks tidak boleh memuat karakter kendali", field="owntracks_key"
        )
    return data


def set_owntracks_key(session: Session, *, unit: Unit, passphrase: str, set_by: str = "") -> None:
    """Store the unit's OwnTracks encryption passphrase (the apps use at most 32 bytes)."""
    check_owntracks_key(passphrase)
    row = {"unit_id": unit.id, "owntracks_key": passphrase, "set_by": set_by}
    statement = insert(UnitTrackerKey).values(**row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["unit_id"],
            set_={"owntracks_key": passphrase, "set_by": set_by, "set_at": func.now()},
        )
    )


def clear_owntracks_key(session: Session, *, unit: Unit) -> bool:
    """Remove the unit's OwnTracks passphrase; False if it had none."""
    result = session.execute(delete(UnitTrackerKey).where(UnitTrackerKey.unit_id == unit.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def owntracks_keys(session: Session, unit_ids: list[int]) -> dict[int, str]:
    """Passphrases of the given units that have one."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(UnitTrackerKey.unit_id, UnitTrackerKey.owntracks_key).where(
            UnitTrackerKey.unit_id.in_(unit_ids)
        )
    )
    return {unit_id: key for unit_id, key in rows}


def owntracks_key_info(session: Session, *, unit_id: int) -> OwnTracksKeyInfo:
    """Whether the unit has an OwnTracks key (set_at, set_by), without reading it out."""
    row = session.execute(
        select(UnitTrackerKey.set_at, UnitTrackerKey.set_by).where(
            UnitTrackerKey.unit_id == unit_id
        )
    ).one_or_none()
    device = owntracks_device(session, unit_id=unit_id)
    if row is None:
        return OwnTracksKeyInfo(key_set=False, device=device)
    return OwnTracksKeyInfo(key_set=True, set_at=row.set_at, set_by=row.set_by, device=device)


def set_owntracks_device(session: Session, *, unit: Unit, device: str, set_by: str = "") -> None:
    """Record the Device ID the unit's OwnTracks app uses (one topic level: letters, digits,
    - and _; the broker refuses dots)."""
    if not DEVICE_ID.fullmatch(device):
        raise InvalidInput(
            "ID perangkat OwnTracks hanya huruf, angka, - dan _ (1-64 karakter)",
            field="device",
        )
    statement = insert(UnitOwnTracksDevice).values(unit_id=unit.id, device=device, set_by=set_by)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["unit_id"],
            set_={"device": device, "set_by": set_by, "set_at": func.now()},
        )
    )


def clear_owntracks_device(session: Session, *, unit: Unit) -> bool:
    """Forget the unit's OwnTracks Device ID (no job notices to the app); False if none."""
    result = session.execute(
        delete(UnitOwnTracksDevice).where(UnitOwnTracksDevice.unit_id == unit.id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def owntracks_device(session: Session, *, unit_id: int) -> str | None:
    """The unit's OwnTracks Device ID, if recorded."""
    return session.scalar(
        select(UnitOwnTracksDevice.device).where(UnitOwnTracksDevice.unit_id == unit_id)
    )
