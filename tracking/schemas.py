"""Pydantic shapes of tracking data in the API (separate from the rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tracking.link_freshness import link_reason_text
from tracking.service import Position, UnitView

UnitKind = Literal["R4", "R2", "boat", "other"]
TrackerKind = Literal["siaga", "owntracks", "hardware"]
UnitStatus = Literal[
    "available", "dispatched", "en_route", "on_scene", "returning", "off_duty", "out_of_service"
]


class UnitCreate(BaseModel):
    call_sign: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["BPP-R4-01"])
    kind: UnitKind
    home_jurisdiction_id: int | None = None
    crew: list[Any] = Field(default_factory=list)
    tracker_kind: TrackerKind = Field(
        "siaga", description="owntracks/hardware: jobs are acknowledged on the crew's page"
    )


class UnitUpdate(BaseModel):
    """Only the fields sent change; kind and crew may be left out but never set to null."""

    kind: UnitKind = Field(None)  # type: ignore[assignment]
    home_jurisdiction_id: int | None = None
    crew: list[Any] = Field(None)  # type: ignore[assignment]
    tracker_kind: TrackerKind = Field(None)  # type: ignore[assignment]


class StatusChange(BaseModel):
    status: UnitStatus
    reason: str = Field("", max_length=500)


class PositionOut(BaseModel):
    lon: float
    lat: float
    fixed_at: datetime
    received_at: datetime
    speed_mps: float | None
    heading_deg: float | None
    accuracy_m: float | None

    @classmethod
    def of(cls, position: Position) -> PositionOut:
        return cls(**position.__dict__)


class UnitOut(BaseModel):
    """A unit: dispatch status, link liveness and fix freshness, kept apart."""

    id: int
    call_sign: str
    kind: str
    home_jurisdiction_id: int | None
    crew: list[Any]
    status: str
    status_changed_at: datetime
    link_connected: bool
    link_changed_at: datetime | None
    link_reason: str | None = Field(
        None, description="why the link is down when Siaga judged it: no_fix (HTTP tracker silent)"
    )
    link_reason_text: str | None = Field(None, description="link_reason in words (Indonesian)")
    tracker_kind: str = Field(description="siaga acknowledges jobs on MQTT; others on /unit")
    position: PositionOut | None
    fix_age_s: float | None
    fix_stale: bool
    available: bool = Field(description="status available and a fresh fix")

    @classmethod
    def of(cls, view: UnitView) -> UnitOut:
        unit = view.unit
        return cls(
            id=unit.id,
            call_sign=unit.call_sign,
            kind=unit.kind,
            home_jurisdiction_id=unit.home_jurisdiction_id,
            crew=unit.crew,
            status=unit.status,
            status_changed_at=unit.status_changed_at,
            link_connected=unit.link_connected,
            link_changed_at=unit.link_changed_at,
            link_reason=unit.link_reason,
            link_reason_text=link_reason_text(unit.link_reason),
            tracker_kind=unit.tracker_kind,
            position=PositionOut.of(view.position) if view.position else None,
            fix_age_s=None if view.fix_age_s is None else round(view.fix_age_s, 1),
            fix_stale=view.fix_stale,
            available=view.available,
        )


class IngestWorkerOut(BaseModel):
    instance: str
    alive: bool
    age_s: float
    detail: dict[str, Any]


class IngestStatsOut(BaseModel):
    """Ingest statistics: workers' counters and rejected messages by reason."""

    workers_alive: int
    workers: list[IngestWorkerOut]
    rejected_today: dict[str, int]
    rejected_total: dict[str, int]
    positions_last_minute: int


class TrackerDeviceCreate(BaseModel):
    """osmand: a Traccar Client phone (Siaga issues its identifier); traccar: a device a
    Traccar server forwards, named by its Traccar uniqueId."""

    protocol: Literal["osmand", "traccar"] = "osmand"
    unique_id: str | None = Field(None, min_length=1, max_length=128, examples=["359710042436064"])
    label: str = Field("", max_length=200, examples=["HP Samsung A14 Brigadir Andi"])


class TrackerDeviceOut(BaseModel):
    """An HTTP tracker of a unit; an osmand identifier is never shown after it is issued."""

    id: int
    call_sign: str
    protocol: str
    unique_id: str | None
    label: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None


class TrackerDeviceIssued(TrackerDeviceOut):
    """The device just registered, with the identifier to type into the app (shown once) and,
    when SIAGA_TRACKERS_PUBLIC_URL is set, the set-up URL a Traccar Client 9 QR code carries."""

    identifier: str
    config_url: str | None = None


class OwnTracksKeyIn(BaseModel):
    """The passphrase typed into the OwnTracks app (Preferences > Advanced > Encryption key)."""

    owntracks_key: str = Field(min_length=1, max_length=32, examples=["k3y-dari-admin-polres"])


class OwnTracksKeyOut(BaseModel):
    """Whether the unit's OwnTracks messages can be opened; the key itself is never shown."""

    unit_id: int
    call_sign: str
    tracker_kind: str
    key_set: bool
    set_at: datetime | None = None
    set_by: str | None = None
    device: str | None = Field(None, description="the app's Device ID: where job notices go")


class OwnTracksDeviceIn(BaseModel):
    """The app's Device ID (Preferences > Connection > Identification), e.g. `hp`."""

    device: str = Field(min_length=1, max_length=64, examples=["hp"])
