"""Coverage of a Polres (each Polsek) by its ready units within the jurisdiction's target.

Only the Polres's own units count (its own or its Polsek's home): another Polres's unit comes
only through a bantuan request. Ready means what the recommendation means: available,
linked, a fresh fix, no active assignment. Each Polsek gets the share of its road length and
the share of its ground reached in time (roads/coverage.py says how).

For the planner, the same figures for a chosen local hour from the fleet's stored history:
on each of the last `history_days` days, the units that were available at that hour (by
their status changes) stand where their latest stored fix put them; the day whose covered
road length is the median is the one shown, so the figures are one real moment, not a blend.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from shapely import wkb
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from dispatch.recommend import _FREE
from jurisdictions.timezones import local_day_start, local_time
from roads.coverage import AreaCells, Samples, covered_metres, suggest_move_up, unit_times
from roads.service import DEFAULT_KIND, Roads, local_hour, profile_for
from tracking.unit_status import DISPATCHABLE

POLSEK_SQL = text("""
SELECT s.id, s.code, s.name, s.level, s.parent_id,
       COALESCE(s.response_target_s, r.response_target_s, d.response_target_s) AS target_s,
       COALESCE(s.timezone, r.timezone, d.timezone) AS timezone, ST_AsBinary(s.geom) AS wkb
FROM jurisdictions s
LEFT JOIN jurisdictions r ON r.id = s.parent_id
LEFT JOIN jurisdictions d ON d.id = r.parent_id
WHERE s.valid_to IS NULL AND s.level = 'polsek' AND (s.parent_id = :polres_id OR s.id = :polsek_id)
ORDER BY s.code
""")
LEVEL_SQL = text("SELECT id, level, parent_id FROM jurisdictions WHERE id = :id")
_OWN = (
    "u.home_jurisdiction_id IN "
    "(SELECT id FROM jurisdictions WHERE id = :polres_id OR parent_id = :polres_id)"
)
UNITS_SQL = text(f"""
SELECT u.id, u.call_sign, u.kind, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
FROM unit_positions_latest p JOIN units u ON u.id = p.unit_id
WHERE u.status = ANY(CAST(:dispatchable AS text[])) AND u.link_connected
  AND p.fixed_at >= :fresh_since AND {_FREE}
  AND {_OWN}
ORDER BY u.id
""")  # noqa: S608 - constant fragments only
# The status a unit had at t.at: its last change before, else what its first change after
# left, else its status now (never changed). Its place: its latest stored fix before t.at.
HISTORY_UNITS_SQL = text(f"""
SELECT t.at, u.id, u.call_sign, u.kind, ST_X(fix.geom) AS lon, ST_Y(fix.geom) AS lat
FROM unnest(CAST(:instants AS timestamptz[])) AS t(at)
CROSS JOIN units u
JOIN LATERAL (
    SELECT up.geom FROM unit_positions up
    WHERE up.unit_id = u.id AND up.fixed_at <= t.at AND up.fixed_at > t.at - :window
    ORDER BY up.fixed_at DESC LIMIT 1
) fix ON true
WHERE {_OWN}
  AND COALESCE(
        (SELECT c.to_status FROM unit_status_changes c WHERE c.unit_id = u.id
           AND c.changed_at <= t.at ORDER BY c.changed_at DESC LIMIT 1),
        (SELECT c.from_status FROM unit_status_changes c WHERE c.unit_id = u.id
           AND c.changed_at > t.at ORDER BY c.changed_at LIMIT 1),
        u.status) = ANY(CAST(:dispatchable AS text[]))
ORDER BY t.at, u.id
""")  # noqa: S608 - constant fragments only
# A unit whose last fix is older than this at the moment looked at was not on patrol then.
HISTORY_FIX_WINDOW = timedelta(hours=12)
HISTORY_DAYS_MAX = 31


@dataclass(frozen=True)
class Areas:
    """The Polsek of a report, their road samples (concatenated) and ground cells."""

    rows: list[Any]
    samples: Samples
    targets: np.ndarray
    spans: list[tuple[int, int]]
    cells: list[AreaCells]


def _polres_of(session: Session, jurisdiction_id: int) -> tuple[int, int | None]:
    """(polres id, polsek id or None) for a Polres or Polsek id."""
    row = session.execute(LEVEL_SQL, {"id": jurisdiction_id}).mappings().one_or_none()
    if row is None:
        raise NotFound(f"wilayah {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    if row["level"] == "polres":
        return row["id"], None
    if row["level"] == "polsek":
        return row["parent_id"], row["id"]
    raise InvalidInput("cakupan dihitung per Polres atau Polsek", field="jurisdiction_id")


def _areas(session: Session, roads: Roads, polres_id: int, polsek_id: int | None) -> Areas:
    params = {"polres_id": polres_id if polsek_id is None else -1, "polsek_id": polsek_id or -1}
    rows = session.execute(POLSEK_SQL, params).mappings().all()
    network = roads.engine.network if roads.engine else None
    points, metres, targets, spans, cells = [], [], [], [], []
    for row in rows:
        shape = wkb.loads(bytes(row["wkb"]))
        part = Samples.inside(network, shape) if network else Samples([], np.empty(0))
        spans.append((len(points), len(points) + len(part.points)))
        cells.append(AreaCells.inside(shape, part))
        points.extend(part.points)
        metres.append(part.metres)
        targets.append(np.full(len(part.points), float(row["target_s"] or np.inf)))
    return Areas(
        rows=list(rows),
        samples=Samples(points, np.concatenate(metres) if metres else np.empty(0)),
        targets=np.concatenate(targets) if targets else np.empty(0),
        spans=spans,
        cells=cells,
    )


def coverage_report(
    session: Session,
    roads: Roads,
    *,
    jurisdiction_id: int,
    stale_s: float,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
    hour: int | None = None,
    history_days: int | None = None,
) -> dict[str, Any]:
    """Per Polsek: road km and ground km2 reached within target by the ready units, a move-up.

    history_days (with hour): the units of the stored history at that local hour instead of
    the units ready now (see the module docstring).
    """
    now = now or datetime.now(UTC)
    polres_id, polsek_id = _polres_of(session, jurisdiction_id)
    if jurisdiction_ids is not None and not {polres_id, jurisdiction_id} & set(jurisdiction_ids):
        raise NotFound(f"wilayah {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    areas = _areas(session, roads, polres_id, polsek_id)
    timezone = areas.rows[0]["timezone"] if areas.rows else None
    zone_hour = hour if hour is not None else local_hour(now, timezone)
    if history_days is None:
        fresh = now - timedelta(seconds=stale_s)
        params = {"polres_id": polres_id, "fresh_since": fresh, "dispatchable": list(DISPATCHABLE)}
        units = [dict(u) for u in session.execute(UNITS_SQL, params).mappings()]
        moment = None
    else:
        instants = _instants(now, zone_hour, timezone, history_days)
        units, moment = _history_units(session, roads, areas, polres_id, instants, zone_hour)
    report = _report(roads, areas, units, zone_hour)
    return {
        "polres_id": polres_id,
        "hour": zone_hour,
        "road_data": roads.engine is not None and roads.engine.network is not None,
        "units_ready": len(units),
        "history_at": moment,
        **report,
    }


def _instants(now: datetime, hour: int, timezone: str | None, days: int) -> list[datetime]:
    """hour:30 local on each of the last `days` days that has already passed."""
    if not 1 <= days <= HISTORY_DAYS_MAX:
        raise InvalidInput(f"riwayat 1 sampai {HISTORY_DAYS_MAX} hari", field="history_days")
    today = local_time(now, timezone).date()
    instants = []
    for back in range(days + 1):
        day_start = local_day_start(today - timedelta(days=back), timezone)
        at = day_start + timedelta(hours=hour, minutes=30)
        if at <= now and len(instants) < days:
            instants.append(at)
    return instants


def _history_units(
    session: Session,
    roads: Roads,
    areas: Areas,
    polres_id: int,
    instants: list[datetime],
    hour: int,
) -> tuple[list[dict[str, Any]], datetime | None]:
    """The units of the median day (by covered road length) at the chosen hour, and when."""
    params = {"polres_id": polres_id, "instants": instants, "window": HISTORY_FIX_WINDOW}
    params["dispatchable"] = list(DISPATCHABLE)
    rows = [dict(r) for r in session.execute(HISTORY_UNITS_SQL, params).mappings()]
    if not rows:
        return [], None
    unit_rows = [(r["kind"], r["lon"], r["lat"]) for r in rows]
    times = unit_times(roads, unit_rows, areas.samples.points, hour)
    by_day: dict[datetime, list[int]] = {}
    for i, row in enumerate(rows):
        by_day.setdefault(row["at"], []).append(i)
    covered = {
        at: covered_metres(areas.samples, times[idx].min(axis=0, initial=np.inf), areas.targets)
        for at, idx in by_day.items()
    }
    days = sorted(instants, key=lambda at: covered.get(at, 0.0))
    median_day = days[(len(days) - 1) // 2]
    return [rows[i] for i in by_day.get(median_day, [])], median_day


def _report(roads: Roads, areas: Areas, units: list[dict[str, Any]], hour: int) -> dict[str, Any]:
    unit_rows = [(u["kind"], u["lon"], u["lat"]) for u in units]
    times = unit_times(roads, unit_rows, areas.samples.points, hour)
    best = times.min(axis=0, initial=np.inf)
    access_mps = profile_for(roads.profiles, DEFAULT_KIND).access_kmh / 3.6
    polsek = [
        _polsek_figure(row, areas, best, span, cells, access_mps)
        for row, span, cells in zip(areas.rows, areas.spans, areas.cells, strict=True)
    ]
    move = suggest_move_up(roads, areas.samples, times, areas.targets, unit_rows, hour)
    if move is not None:
        unit = units[move.pop("unit_index")]
        move |= {
            "unit_id": unit["id"],
            "call_sign": unit["call_sign"],
            "from": [unit["lon"], unit["lat"]],
        }
    return {"polsek": polsek, "move_up": move}


def _label(share: float | None, area_share: float | None, target: int | None) -> str:
    if share is None:
        return "tidak ada data jalan"
    if not target:
        return "tanpa target respons"
    ground = "" if area_share is None else f", {1 - area_share:.0%} wilayah"
    return f"{1 - share:.0%} jalan{ground} tidak terjangkau dalam {round(target / 60)} menit"


def _polsek_figure(
    row: Any,  # noqa: ANN401 - a result row mapping
    areas: Areas,
    best: np.ndarray,
    span: tuple[int, int],
    cells: AreaCells,
    access_mps: float,
) -> dict[str, Any]:
    start, end = span
    part = Samples(areas.samples.points[start:end], areas.samples.metres[start:end])
    target = row["target_s"]
    road_m = part.road_m
    covered_m = covered_metres(part, best[start:end], areas.targets[start:end])
    share = covered_m / road_m if road_m > 0 else None
    area_km2 = cells.area_km2
    covered_km2 = cells.covered_km2(best[start:end], float(target or np.inf), access_mps)
    area_share = covered_km2 / area_km2 if area_km2 > 0 and share is not None else None
    return {
        "jurisdiction_id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "target_s": target,
        "road_km": round(road_m / 1000, 2),
        "covered_km": round(covered_m / 1000, 2),
        "share": None if share is None else round(share, 4),
        "area_km2": round(area_km2, 2),
        "covered_area_km2": round(covered_km2, 2),
        "area_share": None if area_share is None else round(area_share, 4),
        "label": _label(share, area_share, target),
        "uncovered": [
            list(p)
            for p, seconds in zip(part.points, best[start:end], strict=True)
            if not seconds <= (target or np.inf)
        ],
    }
