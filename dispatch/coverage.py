"""Coverage of a Polres (each Polsek) by its ready units within the jurisdiction's target.

Only the Polres's own units count (its own or its Polsek's home): another Polres's unit comes
only through a bantuan request. Ready means what the recommendation means: available,
linked, a fresh fix, no active assignment.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from shapely import wkb
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from dispatch.recommend import _FREE
from roads.coverage import Samples, covered_metres, suggest_move_up, unit_times
from roads.service import Roads, local_hour

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
UNITS_SQL = text(f"""
SELECT u.id, u.call_sign, u.kind, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
FROM unit_positions_latest p JOIN units u ON u.id = p.unit_id
WHERE u.status = 'available' AND u.link_connected AND p.fixed_at >= :fresh_since AND {_FREE}
  AND u.home_jurisdiction_id IN (
      SELECT id FROM jurisdictions WHERE id = :polres_id OR parent_id = :polres_id)
ORDER BY u.id
""")  # noqa: S608 - constant fragments only


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


def coverage_report(
    session: Session,
    roads: Roads,
    *,
    jurisdiction_id: int,
    stale_s: float,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
    hour: int | None = None,
) -> dict[str, Any]:
    """Per Polsek: road km, km reachable within target by the Polres's ready units, a move-up."""
    now = now or datetime.now(UTC)
    polres_id, polsek_id = _polres_of(session, jurisdiction_id)
    if jurisdiction_ids is not None and not {polres_id, jurisdiction_id} & set(jurisdiction_ids):
        raise NotFound(f"wilayah {jurisdiction_id} tidak ditemukan", field="jurisdiction_id")
    polsek = (
        session.execute(
            POLSEK_SQL,
            {"polres_id": polres_id if polsek_id is None else -1, "polsek_id": polsek_id or -1},
        )
        .mappings()
        .all()
    )
    fresh = now - timedelta(seconds=stale_s)
    units = (
        session.execute(UNITS_SQL, {"polres_id": polres_id, "fresh_since": fresh}).mappings().all()
    )
    unit_rows = [(u["kind"], u["lon"], u["lat"]) for u in units]
    network = roads.engine.network if roads.engine else None
    areas, all_points, all_metres, all_targets = [], [], [], []
    for row in polsek:
        samples = (
            Samples.inside(network, wkb.loads(bytes(row["wkb"])))
            if network
            else Samples([], np.empty(0))
        )
        areas.append((row, len(all_points), len(all_points) + len(samples.points)))
        all_points.extend(samples.points)
        all_metres.append(samples.metres)
        all_targets.append(np.full(len(samples.points), float(row["target_s"] or np.inf)))
    samples = Samples(all_points, np.concatenate(all_metres) if all_metres else np.empty(0))
    targets = np.concatenate(all_targets) if all_targets else np.empty(0)
    zone_hour = (
        hour if hour is not None else local_hour(now, polsek[0]["timezone"] if polsek else None)
    )
    times = unit_times(roads, unit_rows, samples.points, zone_hour)
    best = times.min(axis=0, initial=np.inf)
    out = [_polsek_figure(row, samples, best, targets, start, end) for row, start, end in areas]
    move = suggest_move_up(roads, samples, times, targets, unit_rows, zone_hour)
    if move is not None:
        unit = units[move.pop("unit_index")]
        move |= {
            "unit_id": unit["id"],
            "call_sign": unit["call_sign"],
            "from": [unit["lon"], unit["lat"]],
        }
    return {
        "polres_id": polres_id,
        "hour": zone_hour,
        "road_data": network is not None,
        "units_ready": len(units),
        "polsek": out,
        "move_up": move,
    }


def _polsek_figure(row, samples: Samples, best, targets, start: int, end: int) -> dict[str, Any]:  # noqa: ANN001
    part = Samples(samples.points[start:end], samples.metres[start:end])
    road_m = part.road_m
    covered_m = covered_metres(part, best[start:end], targets[start:end])
    share = covered_m / road_m if road_m > 0 else None
    target = row["target_s"]
    if share is None or not target:
        label = "tidak ada data jalan" if share is None else "tanpa target respons"
    else:
        label = f"{1 - share:.0%} jalan tidak terjangkau dalam {round(target / 60)} menit"
    return {
        "jurisdiction_id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "target_s": target,
        "road_km": round(road_m / 1000, 2),
        "covered_km": round(covered_m / 1000, 2),
        "share": None if share is None else round(share, 4),
        "label": label,
        "uncovered": [
            list(p)
            for p, seconds in zip(part.points, best[start:end], strict=True)
            if not seconds <= (target or np.inf)
        ],
    }
