"""Planner aggregates over incidents: response-time percentiles, share within target,
heat points, hexagon bins, per-Polsek choropleth and exports. SQL lives here, bound only.

Response time = call received -> first unit on scene. Incidents marked invalid, prank or
duplicate are left out; open incidents count in totals but not in response figures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from jurisdictions import timezones

MAX_PERIOD_DAYS = 366
HEX_SIZE_M = (100.0, 20000.0)

SQL_DIR = Path(__file__).resolve().parent / "sql"


def _planner_sql(name: str) -> TextClause:
    """A planner query: the shared period/scope CTE followed by sql/planner_<name>.sql."""
    base = (SQL_DIR / "planner_filtered.sql").read_text()
    return text(base + (SQL_DIR / f"planner_{name}.sql").read_text())


SUMMARY_SQL = _planner_sql("summary")
BY_CATEGORY_SQL = _planner_sql("by_category")
BY_HOUR_SQL = _planner_sql("by_hour")
HEAT_SQL = _planner_sql("heat")
HEXBIN_SQL = _planner_sql("hexbin")
SHARE_SQL = _planner_sql("share")
EXPORT_SQL = _planner_sql("export")
EXPORT_FIELDS = (
    "id", "call_received_at", "on_scene_at", "category", "priority", "status", "tz",
    "polsek_code", "polsek_name", "target_s", "response_s", "within_target",
    "location_description", "lon", "lat",
)  # fmt: skip


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, end+1 00:00 UTC); InvalidInput when reversed or too long."""
    if end < start:
        raise InvalidInput("tanggal akhir sebelum tanggal awal", field="to")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"periode paling lama {MAX_PERIOD_DAYS} hari", field="from")
    if end >= date.max:
        raise InvalidInput("tanggal akhir terlalu jauh", field="to")
    first = datetime.combine(start, time(0), tzinfo=UTC)
    return first, datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC)


def _params(start: date, end: date, jurisdiction_ids: Iterable[int] | None) -> dict[str, Any]:
    first, last = period_bounds(start, end)
    ids = None if jurisdiction_ids is None else sorted(jurisdiction_ids)
    return {"start": first, "end": last, "ids": ids, **timezones.sql_zone_params()}


def _num(value: Any, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def _stats(row: Any) -> dict[str, Any]:
    return {
        "count": row["total"],
        "arrived": row["arrived"],
        "within_target_share": _num(row["within_share"], 4),
        "median_response_s": _num(row["median_s"]),
        "p90_response_s": _num(row["p90_s"]),
    }


def summarize_period(
    session: Session, *, start: date, end: date, jurisdiction_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Totals, share within target and percentiles, by category and by local hour of day."""
    params = _params(start, end, jurisdiction_ids)
    total = _stats(session.execute(SUMMARY_SQL, params).mappings().one())
    categories = [
        {"category": row["category"], **_stats(row)}
        for row in session.execute(BY_CATEGORY_SQL, params).mappings()
    ]
    hours = {row["hour"]: row for row in session.execute(BY_HOUR_SQL, params).mappings()}
    by_hour = [
        {
            "hour": hour,
            "count": hours[hour]["total"] if hour in hours else 0,
            "p90_response_s": _num(hours[hour]["p90_s"]) if hour in hours else None,
        }
        for hour in range(24)
    ]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total": total["count"],
        **{k: v for k, v in total.items() if k != "count"},
        "by_category": categories,
        "by_hour": by_hour,
    }


def heat_points(
    session: Session, *, start: date, end: date, jurisdiction_ids: Iterable[int] | None = None
) -> list[list[float]]:
    """[lat, lon, weight] of arrived incidents; weight grows with response time / target."""
    rows = session.execute(HEAT_SQL, _params(start, end, jurisdiction_ids))
    return [[round(r.lat, 6), round(r.lon, 6), round(float(r.weight), 3)] for r in rows]


def hexbin_features(
    session: Session,
    *,
    start: date,
    end: date,
    size_m: float = 500.0,
    jurisdiction_ids: Iterable[int] | None = None,
) -> dict[str, Any]:
    """Hexagons of size_m (centre to vertex) with incident count and p90 response time."""
    if not HEX_SIZE_M[0] <= size_m <= HEX_SIZE_M[1]:
        raise InvalidInput(
            f"ukuran heksagon {HEX_SIZE_M[0]:.0f}-{HEX_SIZE_M[1]:.0f} m", field="size_m"
        )
    params = _params(start, end, jurisdiction_ids) | {"size": size_m}
    features = [
        _feature(
            row["geometry"],
            count=row["total"],
            arrived=row["arrived"],
            p90_response_s=_num(row["p90_s"]),
        )
        for row in session.execute(HEXBIN_SQL, params).mappings()
    ]
    return {"type": "FeatureCollection", "features": features}


def polsek_share_features(
    session: Session, *, start: date, end: date, jurisdiction_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Every Polsek in scope with its share of incidents reached within target (choropleth)."""
    rows = session.execute(SHARE_SQL, _params(start, end, jurisdiction_ids)).mappings()
    features = [
        _feature(row["geometry"], id=row["id"], code=row["code"], name=row["name"], **_stats(row))
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: str, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": json.loads(geometry), "properties": properties}


def export_rows(
    session: Session, *, start: date, end: date, jurisdiction_ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """One row per incident of the period: times (UTC), category, Polsek, response, target."""
    rows = session.execute(EXPORT_SQL, _params(start, end, jurisdiction_ids)).mappings()
    return [_export_row(row) for row in rows]


def _export_row(row: Any) -> dict[str, Any]:
    response_s = _num(row["response_s"])
    target_s = row["target_s"]
    within = None if response_s is None or target_s is None else response_s <= target_s
    out = {k: row[k] for k in EXPORT_FIELDS if k in row}
    out.update(response_s=response_s, within_target=within, tz=row["tz"])
    for key in ("call_received_at", "on_scene_at"):
        out[key] = row[key].isoformat() if row[key] else None
    return out


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text with a header line (UTF-8, comma separated)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def rows_to_geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Point features, properties = the CSV columns."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: v for k, v in row.items() if k not in ("lon", "lat")},
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}
