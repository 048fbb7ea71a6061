"""Jurisdiction lookups: which Polda -> Polres -> Polsek a point belongs to, and inheritance.

Single lookups run in PostGIS on the subdivided `jurisdiction_parts` (GiST, small pieces);
the batch form (`lookup_points`) uses an in-process index over the same pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, defer
from sqlalchemy.types import Integer

from core.errors import InvalidLocation, NotFound
from geo.coords import check_lon_lat
from jurisdictions.models import Jurisdiction

# The 12-nautical-mile territorial sea; the API passes settings.jurisdiction_nearest_max_m.
DEFAULT_NEAREST_MAX_M = 22224.0
# Single lookups run as a statement prepared once per connection: planning this query costs
# more than executing it. Deepest level first; on a shared border the lowest code wins
# (deterministic); the chain of ancestors comes back in the same round trip.
_INSIDE_PREPARE = (
    "PREPARE siaga_jurisdiction_inside(float8, float8, timestamptz) AS "
    "WITH RECURSIVE hit AS (SELECT p.jurisdiction_id AS id FROM jurisdiction_parts p "
    "WHERE ST_Covers(p.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) "
    "AND p.valid_from <= coalesce($3, now()) "
    "AND (p.valid_to IS NULL OR p.valid_to > coalesce($3, now())) "
    "ORDER BY p.depth DESC, p.code, p.jurisdiction_id LIMIT 1), "
    "chain AS (SELECT j.id, j.code, j.name, j.level, j.parent_id, j.response_target_s, "
    "j.timezone, 0 AS up FROM jurisdictions j JOIN hit ON j.id = hit.id "
    "UNION ALL SELECT j.id, j.code, j.name, j.level, j.parent_id, j.response_target_s, "
    "j.timezone, c.up + 1 FROM jurisdictions j JOIN chain c ON j.id = c.parent_id "
    "WHERE c.up < 8) "
    "SELECT id, code, name, level, parent_id, response_target_s, timezone FROM chain ORDER BY up"
)
_INSIDE_EXECUTE = "EXECUTE siaga_jurisdiction_inside(%s, %s, %s)"
# Nearest: 32 candidate pieces by index distance (degrees are close to isotropic at
# Indonesia's latitudes), then exact geodesic distance; ties within 1 m go to depth, code.
_NEAREST_PREPARE = (
    "PREPARE siaga_jurisdiction_nearest(float8, float8, timestamptz, float8) AS "
    "WITH RECURSIVE pt AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g, "
    "coalesce($3, now()) AS at), "
    "cand AS (SELECT p.jurisdiction_id, p.depth, p.code, "
    "ST_Distance(p.geom::geography, pt.g::geography) AS d FROM jurisdiction_parts p, pt "
    "WHERE p.valid_from <= pt.at AND (p.valid_to IS NULL OR p.valid_to > pt.at) "
    "ORDER BY p.geom <-> pt.g LIMIT 32), "
    "best AS (SELECT jurisdiction_id AS id, d FROM cand WHERE d <= $4 "
    "ORDER BY round(d::numeric), depth DESC, code, jurisdiction_id LIMIT 1), "
    "chain AS (SELECT j.id, j.code, j.name, j.level, j.parent_id, j.response_target_s, "
    "j.timezone, 0 AS up FROM jurisdictions j JOIN best ON j.id = best.id "
    "UNION ALL SELECT j.id, j.code, j.name, j.level, j.parent_id, j.response_target_s, "
    "j.timezone, c.up + 1 FROM jurisdictions j JOIN chain c ON j.id = c.parent_id "
    "WHERE c.up < 8) "
    "SELECT id, code, name, level, parent_id, response_target_s, timezone, "
    "(SELECT d FROM best) AS d FROM chain ORDER BY up"
)
_NEAREST_EXECUTE = "EXECUTE siaga_jurisdiction_nearest(%s, %s, %s, %s)"
_ATTRS_SQL = text(
    "SELECT id, code, name, level, parent_id, response_target_s, timezone "
    "FROM jurisdictions WHERE id = ANY(:ids)"
).bindparams(bindparam("ids", type_=ARRAY(Integer)))


@dataclass(frozen=True)
class JurisdictionRef:
    """A jurisdiction named in a lookup result."""

    id: int
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class LookupResult:
    """The Polda -> Polres -> Polsek chain for a point, with the effective target and zone."""

    polda: JurisdictionRef | None
    polres: JurisdictionRef | None
    polsek: JurisdictionRef | None
    match: str  # 'inside' or 'nearest'
    distance_m: float
    response_target_s: int | None
    timezone: str | None

    @property
    def deepest(self) -> JurisdictionRef:
        """The most specific jurisdiction of the chain."""
        found = self.polsek or self.polres or self.polda
        assert found is not None
        return found


def lookup_point(
    session: Session,
    *,
    lon: float,
    lat: float,
    at: datetime | None = None,
    nearest_max_m: float = DEFAULT_NEAREST_MAX_M,
) -> LookupResult:
    """Resolve a point to its jurisdiction chain as of `at` (default now)."""
    lon, lat = check_lon_lat(lon, lat)
    rows = _prepared(session, "inside", _INSIDE_PREPARE, _INSIDE_EXECUTE, (lon, lat, at))
    if rows:
        return _chain_of({row[0]: tuple(row[:7]) for row in rows}, rows[0][0]).with_match(
            "inside", 0.0
        )
    params = (lon, lat, at, nearest_max_m)
    rows = _prepared(session, "nearest", _NEAREST_PREPARE, _NEAREST_EXECUTE, params)
    if not rows:
        raise InvalidLocation(
            f"titik ({lon:.6f}, {lat:.6f}) di luar wilayah layanan: tidak ada wilayah hukum "
            f"dalam jarak {nearest_max_m:,.0f} m",
            field="lat",
        )
    chain = _chain_of({row[0]: tuple(row[:7]) for row in rows}, rows[0][0])
    return chain.with_match("nearest", round(float(rows[0][7]), 1))


def _prepared(session: Session, name: str, prepare: str, execute: str, params: tuple) -> list:
    """Run a statement prepared once per database connection (planning costs more than it)."""
    connection = session.connection()
    info = connection.connection.info  # lives as long as the database connection
    if f"siaga_jurisdiction_{name}" not in info:
        connection.exec_driver_sql(prepare)
        info[f"siaga_jurisdiction_{name}"] = True
    return connection.exec_driver_sql(execute, params).all()


@dataclass(frozen=True)
class _Chain:
    refs: dict[str, JurisdictionRef]
    response_target_s: int | None
    timezone: str | None

    def with_match(self, match: str, distance_m: float) -> LookupResult:
        return LookupResult(
            polda=self.refs.get("polda"),
            polres=self.refs.get("polres"),
            polsek=self.refs.get("polsek"),
            match=match,
            distance_m=distance_m,
            response_target_s=self.response_target_s,
            timezone=self.timezone,
        )


def chains_for(session: Session, *, ids: Iterable[int]) -> dict[int, _Chain]:
    """Each jurisdiction's chain of ancestors with target and zone inherited bottom-up."""
    wanted = set(ids)
    attrs: dict[int, tuple] = {}
    todo = wanted
    while todo:  # one query per level upwards (three at most in a Polda/Polres/Polsek tree)
        rows = session.execute(_ATTRS_SQL, {"ids": sorted(todo)}).all()
        attrs.update((row[0], tuple(row)) for row in rows)
        todo = {row[4] for row in rows if row[4] is not None and row[4] not in attrs}
    return {i: _chain_of(attrs, i) for i in wanted if i in attrs}


def _chain_of(attrs: dict[int, tuple], start: int) -> _Chain:
    refs: dict[str, JurisdictionRef] = {}
    target = zone = None
    current: int | None = start
    for _ in range(8):  # from the jurisdiction itself upwards; bounded against cycles
        if current is None or current not in attrs:
            break
        jid, code, name, level, parent_id, row_target, row_zone = attrs[current]
        refs.setdefault(level, JurisdictionRef(jid, code, name, level))
        target = target if target is not None else row_target
        zone = zone or row_zone
        current = parent_id
    return _Chain(refs=refs, response_target_s=target, timezone=zone)


def effective_target_s(session: Session, *, jurisdiction_id: int) -> int | None:
    """The response-time target in seconds, inherited from the nearest ancestor that sets one."""
    return _require_chain(session, jurisdiction_id).response_target_s


def effective_timezone(session: Session, *, jurisdiction_id: int) -> str | None:
    """The time zone (WIB/WITA/WIT), inherited from the nearest ancestor that sets one."""
    return _require_chain(session, jurisdiction_id).timezone


def _require_chain(session: Session, jurisdiction_id: int) -> _Chain:
    chain = chains_for(session, ids=[jurisdiction_id]).get(jurisdiction_id)
    if chain is None:
        raise NotFound(f"wilayah hukum {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    return chain


_DESCENDANTS_SQL = text(
    "WITH RECURSIVE below AS (SELECT id FROM jurisdictions WHERE id = :id"
    " UNION SELECT j.id FROM jurisdictions j JOIN below b ON j.parent_id = b.id)"
    " SELECT id FROM below"
)


def descendant_ids(session: Session, *, jurisdiction_id: int) -> set[int]:
    """The jurisdiction itself and every jurisdiction below it (all versions), for scoping."""
    found = set(session.execute(_DESCENDANTS_SQL, {"id": jurisdiction_id}).scalars())
    if not found:
        raise NotFound(f"wilayah hukum {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    return found


def get_jurisdiction(
    session: Session, *, jurisdiction_id: int, scope_ids: Iterable[int] | None = None
) -> Jurisdiction:
    """One jurisdiction row; NotFound when absent or outside the caller's scope."""
    row = session.get(Jurisdiction, jurisdiction_id)
    if row is None or (scope_ids is not None and jurisdiction_id not in set(scope_ids)):
        raise NotFound(f"wilayah hukum {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    return row


def list_jurisdictions(
    session: Session,
    *,
    level: str | None = None,
    parent_id: int | None = None,
    at: datetime | None = None,
    scope_ids: Iterable[int] | None = None,
) -> list[Jurisdiction]:
    """Jurisdictions in force at `at` (default now), filtered by level, parent and scope."""
    at_expr = at if at is not None else func.now()
    query = select(Jurisdiction).where(
        Jurisdiction.valid_from <= at_expr,
        (Jurisdiction.valid_to.is_(None)) | (Jurisdiction.valid_to > at_expr),
    )
    if level is not None:
        query = query.where(Jurisdiction.level == level)
    if parent_id is not None:
        query = query.where(Jurisdiction.parent_id == parent_id)
    if scope_ids is not None:
        query = query.where(Jurisdiction.id.in_(list(scope_ids)))
    query = query.options(defer(Jurisdiction.geom)).order_by(Jurisdiction.level, Jurisdiction.code)
    return list(session.scalars(query))


def lookup_points(
    session: Session,
    *,
    points: Sequence[tuple[float, float]],
    at: datetime | None = None,
    nearest_max_m: float = DEFAULT_NEAREST_MAX_M,
) -> list[LookupResult | InvalidLocation]:
    """Batch form of lookup_point for many (lon, lat) points; errors are returned, not raised."""
    from jurisdictions.batch import lookup_points as batch_lookup  # batch imports this module

    return batch_lookup(session, points=points, at=at, nearest_max_m=nearest_max_m)
