"""Pydantic shapes of the dispatch API (separate from the rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dispatch.taxonomy import CALLBACK_OUTCOMES, CATEGORIES, DISPOSITIONS

Channel = Literal["telepon", "sms", "email", "media_sosial"]


def _one_of(value: str, allowed: dict[str, str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} tidak dikenal: {value!r}; pilihan: {', '.join(allowed)}")
    return value


class IncidentCreate(BaseModel):
    """What the operator enters at intake."""

    caller_name: str = Field(min_length=1, max_length=200)
    caller_phone: str = Field(min_length=3, max_length=32)
    channel: Channel = "telepon"
    category: str
    priority: int = Field(2, ge=1, le=3)
    description: str = Field("", max_length=4000)
    address: str = Field("", max_length=500)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    call_received_at: datetime | None = None
    # The call record (telephony or "Terima panggilan") whose ring time is T0.
    call_id: int | None = Field(None, ge=1, le=2**31 - 1)
    actor: str | None = None

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        return _one_of(value, CATEGORIES, "kategori")


class ValidateRequest(BaseModel):
    validity: Literal["valid", "invalid", "prank", "duplicate"]
    category: str | None = None
    priority: int | None = Field(None, ge=1, le=3)
    duplicate_of_id: int | None = None
    note: str = ""
    actor: str | None = None

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, CATEGORIES, "kategori")


class ActorRequest(BaseModel):
    actor: str | None = None
    note: str = ""


class MergeRequest(BaseModel):
    into_id: int
    actor: str | None = None


class RelocateRequest(BaseModel):
    """The pin moved: the incident's new point (WGS84)."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    actor: str | None = None


class AssignRequest(BaseModel):
    unit_ids: list[int] = Field(min_length=1, max_length=20)
    # ETAs the operator saw in the recommendation (kept on the assignment for later review).
    etas: dict[int, float] | None = None
    actor: str | None = None


class AssignmentStatusRequest(BaseModel):
    status: Literal["acknowledged", "en_route", "on_scene", "cleared", "cancelled"]
    actor: str | None = None
    note: str = ""


class CloseRequest(BaseModel):
    disposition: str
    callback_outcome: str
    callback_at: datetime | None = None
    callback_note: str = ""
    note: str = ""
    actor: str | None = None

    @field_validator("disposition")
    @classmethod
    def _disposition(cls, value: str) -> str:
        return _one_of(value, DISPOSITIONS, "disposisi")

    @field_validator("callback_outcome")
    @classmethod
    def _callback(cls, value: str) -> str:
        return _one_of(value, CALLBACK_OUTCOMES, "hasil telepon balik")


class JurisdictionOut(BaseModel):
    id: int
    code: str
    name: str
    level: str


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    caller_name: str
    caller_phone: str
    channel: str
    category: str
    priority: int
    description: str
    address: str
    location_description: str | None
    lon: float
    lat: float
    polda: JurisdictionOut | None
    polres: JurisdictionOut | None
    polsek: JurisdictionOut | None
    location_match: str
    response_target_s: int | None
    timezone: str | None
    validity: str
    duplicate_of_id: int | None
    status: str
    handler_level: str
    accept_deadline: datetime | None
    timestamps: dict[str, datetime | None]
    disposition: str | None
    callback_outcome: str | None
    callback_note: str | None
    created_by: str
    call_id: int | None = None
    t0_source: Literal["telephony", "console", "entered", "created"] = "created"
    arrival_verified: bool | None = None
    alerts: int = 0


class LogEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    message: str
    detail: dict[str, Any]


class ClockOut(BaseModel):
    state: Literal["running", "met", "missed", "no_target", "not_reached"]
    target_s: int | None
    elapsed_s: float
    remaining_s: float | None
    response_s: float | None
    margin_s: float | None
    message: str
    # On scene: True when GPS confirmed the first arrival, False when only claimed.
    verified: bool | None = None


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    unit_id: int
    call_sign: str | None = None
    job_id: str
    status: str
    eta_s: float | None
    assigned_by: str
    assigned_at: datetime
    last_sent_at: datetime
    send_count: int
    acked_at: datetime | None
    alerted_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    arrival_source: str | None
    arrival_distance_m: float | None = None
    arrival_fix_age_s: float | None = None
    arrival_verified: bool | None = None
    cleared_at: datetime | None
    released_at: datetime | None


class DuplicateOut(BaseModel):
    incident_id: int
    category: str
    status: str
    distance_m: float
    created_at: datetime
    reasons: list[str]


class CallerFlagRef(BaseModel):
    id: int
    raised_at: datetime


class CallerHistoryOut(BaseModel):
    phone: str
    total: int
    by_validity: dict[str, int]
    prank_count: int  # stored prank markings, all time
    prank_score: float  # recency-weighted (dispatch/pranks.py)
    prank_last_at: datetime | None = None
    prank_flag_score: float
    prank_half_life_days: float
    flagged: bool
    flag: CallerFlagRef | None = None  # the open flag the Perwira Piket has to review
    message: str
    recent: list[dict[str, Any]]


class CallerFlagOut(BaseModel):
    id: int
    phone: str
    incident_id: int
    polres_id: int | None
    raised_at: datetime
    score_at_raise: float
    prank_count_at_raise: int
    score_now: float
    prank_count: int
    last_prank_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_outcome: str | None
    review_label: str | None
    review_note: str


class CallerFlagReview(BaseModel):
    outcome: str = Field(description="peringatan | usul_blokir | pantau")
    note: str = Field(default="", max_length=2000)


class IncidentDetail(IncidentOut):
    clock: ClockOut
    log: list[LogEntryOut]
    assignments: list[AssignmentOut]


class IntakeResult(IncidentDetail):
    caller_history: CallerHistoryOut
    possible_duplicates: list[DuplicateOut]


class RecommendationOut(BaseModel):
    unit_id: int
    call_sign: str
    kind: str
    rank: int
    eta_s: float
    eta_method: str  # road | straight | water
    eta_how: str  # how the ETA was computed, in Bahasa Indonesia
    road_distance_m: float | None  # by road, when eta_method is road
    distance_m: float  # straight line
    fix_age_s: float
    home_jurisdiction_id: int | None
    own_jurisdiction: str | None
    within_target: bool | None
    reasons: list[str]


class ExclusionOut(BaseModel):
    unit_id: int
    call_sign: str
    kind: str
    distance_m: float
    reasons: list[str]


class TurnOut(BaseModel):
    text: str  # Bahasa Indonesia: "Belok kiri ke Jalan ..., 350 m"
    road: str
    distance_m: float
    duration_s: float
    location: list[float] | None


class RoadRouteOut(BaseModel):
    """A GeoJSON LineString (lon, lat) with the ETA computed on it."""

    type: str
    coordinates: list[list[float]]
    eta_s: float
    distance_m: float
    profile: str  # R4 | R2
    turns: list[TurnOut]


class UnitRouteOut(BaseModel):
    incident_id: int
    unit_id: int
    call_sign: str
    kind: str
    eta_s: float
    eta_method: str  # road | straight | water
    eta_how: str
    route: RoadRouteOut | None  # None outside the road data (eta_how says why)


class RecommendationsOut(BaseModel):
    incident_id: int
    target_s: int | None
    time_left_s: int | None  # of the target, counted from the call
    road_graph: bool  # road data is built and loaded
    recommendations: list[RecommendationOut]
    excluded: list[ExclusionOut]


# --- console: board, lifecycle steps (cancel with reason, reassign, call back) ---


class CancelRequest(BaseModel):
    reason: str = Field(max_length=500)
    actor: str | None = None


class ReassignRequest(BaseModel):
    unit_id: int
    reason: str = Field(max_length=500)
    eta_s: float | None = Field(None, ge=0)
    actor: str | None = None


class CallbackRequest(BaseModel):
    outcome: str
    note: str = Field("", max_length=1000)
    actor: str | None = None

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:
        return _one_of(value, CALLBACK_OUTCOMES, "hasil telepon balik")


class BoardUnitOut(BaseModel):
    assignment_id: int
    unit_id: int
    call_sign: str
    kind: str
    status: str
    not_acknowledged: bool


class BoardRowOut(IncidentOut):
    clock: ClockOut
    units: list[BoardUnitOut]
    caller_flagged: bool
    attention: list[str]


class BoardOut(BaseModel):
    generated_at: datetime
    attention_labels: dict[str, str]
    incidents: list[BoardRowOut]


class FleetUnitOut(BaseModel):
    id: int
    call_sign: str
    kind: str
    status: str
    home_jurisdiction_id: int | None
    link_connected: bool
    lon: float | None
    lat: float | None
    fixed_at: datetime | None
    fix_age_s: float | None
    fix_stale: bool
    current_polsek_id: int | None
    current_polsek: str | None
    current_polres_id: int | None
    incident_id: int | None
    assignment_status: str | None
    not_acknowledged: bool


class CompleteRequest(BaseModel):
    result: str = Field(max_length=500)
    actor: str | None = None


# --- bantuan: a unit of another Polres, on that Polres's (or the Polda's) approval ---


class BantuanCreate(BaseModel):
    unit_id: int = Field(ge=1, le=2**31 - 1)
    note: str = Field("", max_length=500)


class BantuanDecision(BaseModel):
    note: str = Field("", max_length=500)


class BantuanLogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    jurisdiction_id: int | None
    at: datetime
    actor: str
    action: str
    message: str


class BantuanOut(BaseModel):
    """A request with what the lending side needs to decide (it cannot open the incident)."""

    id: int
    incident_id: int
    unit_id: int
    call_sign: str
    requester_jurisdiction_id: int | None
    lender_jurisdiction_id: int | None
    status: Literal["pending", "approved", "refused", "cancelled"]
    note: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    assignment_id: int | None
    incident_category: str
    incident_priority: int
    incident_address: str
    incident_lon: float
    incident_lat: float
    log: list[BantuanLogOut]


class PolsekCoverageOut(BaseModel):
    jurisdiction_id: int
    code: str
    name: str
    target_s: int | None
    road_km: float
    covered_km: float  # reachable within target_s by the Polres's ready units
    share: float | None  # covered_km / road_km (None: no mapped road inside)
    area_km2: float  # the Polsek's ground, in the cells coverage measures it by
    covered_area_km2: float  # ground reachable within target_s (road, then off-road)
    area_share: float | None  # covered_area_km2 / area_km2 (None: no mapped road inside)
    label: str  # Bahasa Indonesia, for the map
    uncovered: list[list[float]]  # road sample points (lon, lat) not reachable in time


class MoveUpOut(BaseModel):
    unit_id: int
    call_sign: str
    to: list[float]  # (lon, lat) on a road
    gain_m: float  # road metres newly covered
    from_: list[float] = Field(alias="from")

    model_config = ConfigDict(populate_by_name=True)


class CoverageOut(BaseModel):
    polres_id: int
    hour: int  # local hour the speeds were taken for
    road_data: bool
    units_ready: int
    history_at: datetime | None = None  # the stored moment shown (planner), None: now
    polsek: list[PolsekCoverageOut]
    move_up: MoveUpOut | None


# --- calls: the telephony hook and "Terima panggilan" (T0) ---


class CallRing(BaseModel):
    """What the PABX/CTI posts when a call rings (rang_at: its own ring time, optional)."""

    caller_phone: str = Field("", max_length=32)
    line: str = Field(min_length=1, max_length=64)
    rang_at: datetime | None = None
    external_id: str | None = Field(None, min_length=1, max_length=128)


class CallTake(BaseModel):
    caller_phone: str = Field("", max_length=32)
    line: str = Field("", max_length=64)


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    caller_phone: str
    line: str
    source: Literal["telephony", "console"]
    jurisdiction_id: int | None
    rang_at: datetime
    seen_at: datetime
    status: Literal["waiting", "answered", "abandoned"]
    answered_at: datetime | None
    answered_by: str | None
    external_id: str | None
