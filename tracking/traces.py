"""GPS traces of units while en route (for calibrating road speeds from the fleet's own history).

A trace is every stored fix of a unit between its change to en_route and its next status
change, in time order. Only the history tables are read (append-only), never the latest row.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

TRACES_SQL = text("""
WITH windows AS (
    SELECT c.unit_id, c.to_status, c.changed_at AS start_at,
           LEAD(c.changed_at) OVER (PARTITION BY c.unit_id ORDER BY c.changed_at, c.id) AS end_at
    FROM unit_status_changes c
    WHERE c.changed_at >= :since
)
SELECT w.unit_id, u.kind, w.start_at, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
       EXTRACT(EPOCH FROM p.fixed_at) AS t, p.accuracy_m
FROM windows w
JOIN units u ON u.id = w.unit_id
JOIN unit_positions p
  ON p.unit_id = w.unit_id AND p.fixed_at >= w.start_at AND p.fixed_at < w.end_at
WHERE w.to_status = 'en_route' AND w.end_at IS NOT NULL
  AND (CAST(:homes AS int[]) IS NULL OR u.home_jurisdiction_id = ANY(CAST(:homes AS int[])))
ORDER BY w.unit_id, w.start_at, p.fixed_at
""")

Trace = list[tuple[float, float, float, float | None]]  # lon, lat, epoch seconds, accuracy m


def en_route_traces(
    session: Session, *, since: datetime, home_jurisdiction_ids: Collection[int] | None = None
) -> dict[str, list[Trace]]:
    """Traces by unit kind (R4, R2, ...) of every en-route leg since `since`."""
    homes = list(home_jurisdiction_ids) if home_jurisdiction_ids is not None else None
    rows = session.execute(TRACES_SQL, {"since": since, "homes": homes}).mappings()
    traces: dict[str, list[Trace]] = {}
    current_key = None
    for row in rows:
        key = (row["unit_id"], row["start_at"])
        if key != current_key:
            traces.setdefault(row["kind"], []).append([])
            current_key = key
        fix = (row["lon"], row["lat"], float(row["t"]), row["accuracy_m"])
        traces[row["kind"]][-1].append(fix)
    return {kind: [t for t in found if len(t) >= 2] for kind, found in traces.items()}
