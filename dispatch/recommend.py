"""Recommendation: PostGIS KNN shortlist, one OSRM table call per kind, own jurisdiction first.

One SQL statement brings the shortlist and the nearest units left out; one OSRM table per
vehicle kind present gives every shortlisted unit its road ETA.

`<->` on the 4326 geometry orders by planar degrees; Indonesia lies on the equator (6 N to
11 S, cos(lat) >= 0.98), so that order is within 2 % of metres and the GiST index answers it
directly. The shortlist is then re-ranked by ETA, which is what the operator cares about.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.clock import _minutes
from dispatch.intake import get_incident, incident_lonlat
from roads.service import Eta, Roads, estimate_etas, local_hour
from tracking.link_freshness import link_reason_text
from tracking.unit_status import DISPATCHABLE

SHORTLIST = 25
EXCLUDED_SHOWN = 10

_UNIT_COLUMNS = """
    u.id, u.call_sign, u.kind, u.status, u.link_connected, u.link_reason, u.home_jurisdiction_id,
    j.parent_id AS home_parent_id, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
    EXTRACT(EPOCH FROM (CAST(:now AS timestamptz) - p.fixed_at)) AS fix_age_s,
    ST_Distance(CAST(p.geom AS geography),
                CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geography)) AS distance_m
"""
_FROM = """
FROM unit_positions_latest p
JOIN units u ON u.id = p.unit_id
LEFT JOIN jurisdictions j ON j.id = u.home_jurisdiction_id
"""
_KNN = "ORDER BY p.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT "
# NOT EXISTS (an anti-join the planner estimates well) keeps the plan driven by the GiST
# KNN scan; a LEFT JOIN ... IS NULL made it sort all 20,000 available units instead.
_FREE = (
    "NOT EXISTS (SELECT 1 FROM assignments a WHERE a.unit_id = p.unit_id AND a.released_at IS NULL)"
)
_READY = (
    "u.status = ANY(CAST(:dispatchable AS text[])) AND u.link_connected"
    f" AND p.fixed_at >= :fresh_since AND {_FREE}"
)

# The shortlist and the units left out, in one round trip (two KNN scans under one Append):
# under load every statement's parse, plan and round trip shows in the p99.
NEARBY_SQL = text(
    f"(SELECT true AS ready, {_UNIT_COLUMNS}, CAST(NULL AS timestamptz) AS fixed_at,"  # noqa: S608
    f" CAST(NULL AS integer) AS busy_incident_id {_FROM} WHERE {_READY} {_KNN} :limit)"
    f" UNION ALL (SELECT false, {_UNIT_COLUMNS}, p.fixed_at, a.incident_id {_FROM}"
    " LEFT JOIN assignments a ON a.unit_id = u.id AND a.released_at IS NULL"
    f" WHERE NOT ({_READY}) {_KNN} :excluded)"
)


def nearby_units(
    session: Session, *, lon: float, lat: float, stale_s: float, now: datetime, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `limit` nearest ready units (available, linked, fresh fix, not already assigned),
    and the EXCLUDED_SHOWN nearest units that are not ready."""
    params = {
        "lon": lon,
        "lat": lat,
        "now": now,
        "limit": limit,
        "excluded": EXCLUDED_SHOWN,
        "fresh_since": now - timedelta(seconds=stale_s),
        "dispatchable": list(DISPATCHABLE),
    }
    rows = [dict(r) for r in session.execute(NEARBY_SQL, params).mappings()]
    rows.sort(key=lambda r: r["distance_m"])  # UNION ALL promises no order: nearest first
    return [r for r in rows if r["ready"]], [r for r in rows if not r["ready"]]


def exclusion_reasons(row: dict[str, Any], stale_s: float) -> list[str]:
    """Why a nearby unit is not recommended (busy, status, link, stale fix), in Bahasa Indonesia."""
    reasons = []
    if row["busy_incident_id"] is not None:
        reasons.append(f"sedang ditugaskan ke laporan #{row['busy_incident_id']}")
    if row["status"] not in DISPATCHABLE:
        reasons.append(f"status {row['status']}")
    if not row["link_connected"]:
        why = link_reason_text(row["link_reason"])
        reasons.append("pelacak tidak terhubung" + (f" ({why})" if why else ""))
    if row["fix_age_s"] > stale_s:
        reasons.append(f"posisi basi ({_minutes(row['fix_age_s'])} lalu)")
    return reasons


def _own(row: dict[str, Any], incident: Any) -> str | None:
    home = row["home_jurisdiction_id"]
    if home is None:
        return None
    if home == incident.polsek_id:
        return "polsek"
    if incident.polres_id is not None and incident.polres_id in (home, row["home_parent_id"]):
        return "polres"
    return None


def _reasons(row: dict[str, Any], eta: Eta, own: str | None, target: int | None) -> list[str]:
    if eta.road_distance_m is not None:
        distance = f"jarak {eta.road_distance_m / 1000:.1f} km lewat jalan"
    else:
        distance = f"jarak {row['distance_m'] / 1000:.1f} km garis lurus"
    reasons = [
        f"ETA {_minutes(eta.eta_s)} {eta.how}, unit {row['kind']}",
        distance.replace(".", ","),
        f"posisi {row['fix_age_s']:.0f} dtk lalu",
    ]
    label = {"polsek": "unit Polsek setempat", "polres": "unit Polres setempat"}
    reasons.append(label.get(own or "", "unit dari wilayah lain"))
    if target is not None:
        gap = target - eta.eta_s
        reasons.append(
            f"tiba dalam target (sisa {_minutes(gap)})"
            if gap >= 0
            else f"melebihi target {_minutes(gap)}"
        )
    return reasons


def recommend_units(
    session: Session,
    *,
    incident_id: int,
    roads: Roads,
    stale_s: float,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Ranked ready units with reasons, and the nearest units left out with reasons."""
    now = now or datetime.now(UTC)
    incident = get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    lon, lat = incident_lonlat(incident)
    rows, left_out = nearby_units(
        session, lon=lon, lat=lat, stale_s=stale_s, now=now, limit=SHORTLIST
    )
    etas = estimate_etas(
        roads,
        target=(lon, lat),
        hour=local_hour(now, incident.timezone),
        units=[(r["kind"], r["lon"], r["lat"], r["distance_m"]) for r in rows],
    )
    # The target runs from the call, so a unit must arrive within what is left of it.
    target = incident.response_target_s
    if target is not None:
        target = round(target - (now - incident.call_received_at).total_seconds())
    ranked = []
    for row, eta in zip(rows, etas, strict=True):
        own = _own(row, incident)
        within = None if target is None else eta.eta_s <= target
        tier = 0 if own and within is not False else 1
        ranked.append((tier, eta.eta_s, row, eta, own, within))
    ranked.sort(key=lambda item: (item[0], item[1]))
    recommendations = [
        _recommendation(i + 1, row, eta, own, within, target)
        for i, (_, _, row, eta, own, within) in enumerate(ranked)
    ]
    return {
        "incident_id": incident.id,
        "target_s": incident.response_target_s,
        "time_left_s": target,
        "road_graph": roads.engine is not None,
        "recommendations": recommendations,
        "excluded": [_excluded(row, stale_s) for row in left_out],
    }


def _recommendation(
    rank: int, row: dict, eta: Eta, own: str | None, within: bool | None, target: int | None
) -> dict[str, Any]:
    return {
        "unit_id": row["id"],
        "call_sign": row["call_sign"],
        "kind": row["kind"],
        "rank": rank,
        "eta_s": round(eta.eta_s, 1),
        "eta_method": eta.method,
        "eta_how": eta.how,
        "road_distance_m": None if eta.road_distance_m is None else round(eta.road_distance_m, 1),
        "distance_m": round(row["distance_m"], 1),
        "fix_age_s": round(row["fix_age_s"], 1),
        "home_jurisdiction_id": row["home_jurisdiction_id"],
        "own_jurisdiction": own,
        "within_target": within,
        "reasons": _reasons(row, eta, own, target),
    }


def _excluded(row: dict[str, Any], stale_s: float) -> dict[str, Any]:
    return {
        "unit_id": row["id"],
        "call_sign": row["call_sign"],
        "kind": row["kind"],
        "distance_m": round(row["distance_m"], 1),
        "reasons": exclusion_reasons(row, stale_s),
    }
