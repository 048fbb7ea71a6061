"""API shapes for jurisdictions (Pydantic), separate from the rows and the service results."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jurisdictions.service import JurisdictionRef, LookupResult

# Up to ~53 bytes a point at full float precision: 15,000 points stay under the API's 1 MB
# body limit (api/deps.py); larger batches call jurisdictions.service.lookup_points directly.
MAX_BATCH_POINTS = 15_000


class JurisdictionRefOut(BaseModel):
    """A jurisdiction in a lookup chain."""

    id: int
    code: str
    name: str
    level: str


class LookupOut(BaseModel):
    """Polda -> Polres -> Polsek for a point, with the effective target and time zone."""

    lon: float
    lat: float
    polda: JurisdictionRefOut | None
    polres: JurisdictionRefOut | None
    polsek: JurisdictionRefOut | None
    match: Literal["inside", "nearest"]
    distance_m: float
    response_target_s: int | None
    timezone: str | None

    @classmethod
    def of(cls, result: LookupResult, *, lon: float, lat: float) -> LookupOut:
        """Build from the service result."""
        return cls(
            lon=lon,
            lat=lat,
            polda=_ref(result.polda),
            polres=_ref(result.polres),
            polsek=_ref(result.polsek),
            match=result.match,  # type: ignore[arg-type]
            distance_m=result.distance_m,
            response_target_s=result.response_target_s,
            timezone=result.timezone,
        )


def _ref(ref: JurisdictionRef | None) -> JurisdictionRefOut | None:
    if ref is None:
        return None
    return JurisdictionRefOut(id=ref.id, code=ref.code, name=ref.name, level=ref.level)


class PointIn(BaseModel):
    """One point of a batch, WGS84."""

    lon: float
    lat: float


class BatchLookupIn(BaseModel):
    """Many points at once (analytics, geocoding old incident records)."""

    points: list[PointIn] = Field(..., max_length=MAX_BATCH_POINTS)
    at: datetime | None = None


class BatchErrorOut(BaseModel):
    """Why one point of a batch has no jurisdiction."""

    message: str
    field: str | None


class BatchItemOut(BaseModel):
    """Either a result or an error, in input order."""

    result: LookupOut | None = None
    error: BatchErrorOut | None = None


class BatchLookupOut(BaseModel):
    """Batch answers in the order of the input points."""

    results: list[BatchItemOut]
    inside: int
    nearest: int
    failed: int


class JurisdictionOut(BaseModel):
    """A jurisdiction row without its geometry, plus the inherited target and zone."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    admin_codes: list[str]
    response_target_s: int | None
    timezone: str | None
    valid_from: datetime
    valid_to: datetime | None
    effective_response_target_s: int | None = None
    effective_timezone: str | None = None
