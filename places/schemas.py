"""API shapes of place search and reverse geocoding (separate from the rows)."""

from __future__ import annotations

from pydantic import BaseModel


class PlaceOut(BaseModel):
    """One search result: where it is, what it is, and a line saying where."""

    name: str
    kind: str
    lon: float
    lat: float
    description: str
    distance_m: float | None = None
    in_scope: bool = True


class AreaRef(BaseModel):
    code: str
    name: str
    label: str


class NearOut(BaseModel):
    name: str
    distance_m: float
    kind: str | None = None
    category: str | None = None
    ref: str | None = None


class JurisdictionRefOut(BaseModel):
    id: int
    code: str
    name: str


class ReverseOut(BaseModel):
    """A point described: nearest street and landmark, covering areas and jurisdiction."""

    lon: float
    lat: float
    description: str
    street: NearOut | None = None
    landmark: NearOut | None = None
    desa: AreaRef | None = None
    kecamatan: AreaRef | None = None
    kabkota: AreaRef | None = None
    jurisdiction: dict[str, JurisdictionRefOut | None] | None = None
