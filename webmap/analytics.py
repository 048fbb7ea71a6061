"""Planner aggregates over incidents: response-time percentiles, share within target,
heat points, hexagon bins, per-Polsek choropleth and exports. SQL lives here, bound only.

Response time = call received -> first unit on scene. Incidents marked invalid, prank or
duplicate are left out; open incidents count in totals but not in response figures. Response
figures are those of verified arrivals (GPS, or a crew report its fix agreed with); unverified
arrivals are counted and measured apart, never folded into "within target". Periods are local
days of each incident's zone, and exported times carry their zone and offset.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
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
    """A planner query: the shared period/scope CTE followed by sql/planner_<name>.sql.

    `-- @stats` in a query stands for the shared response-figure columns (sql/planner_stats.sql).
    """
    base = (SQL_DIR / "planner_filtered.sql").read_text()
    body = (SQL_DIR / f"planner_{name}.sql").read_text()
    stats = (SQL_DIR / "planner_stats.sql").read_text()
    return text(base + body.replace("-- @stats\n", stats))


SUMMARY_SQL = _planner_sql("summary")
BY_CATEGORY_SQL = _planner_sql("by_category")
BY_HOUR_SQL = _planner_sql("by_hour")
HEAT_SQL = _planner_sql("heat")
HEXBIN_SQL = _planner_sql("hexbin")
SHARE_SQL = _planner_sql("share")
EXPORT_SQL = _planner_sql("export")
# Export columns: the key (GeoJSON property) and the CSV header a planner reads.
EXPORT_COLUMNS = (
    ("id", "No. laporan"),
    ("call_received_at", "Panggilan masuk (ISO 8601)"),
    ("call_received_local", "Panggilan masuk (waktu setempat)"),
    ("on_scene_at", "Tiba di lokasi (ISO 8601)"),
    ("on_scene_local", "Tiba di lokasi (waktu setempat)"),
    ("tz", "Zona waktu"),
    ("category", "Kategori"),
    ("priority", "Prioritas"),
    ("status", "Status"),
    ("polsek_code", "Kode Polsek"),
    ("polsek_name", "Polsek"),
    ("target_s", "Target (detik)"),
    ("response_s", "Waktu respons (detik)"),
    ("arrival", "Kedatangan"),
    ("within_target", "Dalam target"),
    ("location_description", "Lokasi"),
    ("lon", "Bujur"),
    ("lat", "Lintang"),
)
EXPORT_FIELDS = tuple(key for key, _ in EXPORT_COLUMNS)
ARRIVAL_LABELS = {True: "terverifikasi", False: "belum terverifikasi", None: "belum tiba"}
YES_NO = {True: "ya", False: "tidak", None: ""}
LOCAL_TIMES = (("call_received_at", "call_received_local"), ("on_scene_at", "on_scene_local"))


def check_period(start: date, end: date) -> None:
    """InvalidInput when the period is reversed, too long or past the calendar."""
    if end < start:
        raise InvalidInput("tanggal akhir sebelum tanggal awal", field="to")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"periode paling lama {MAX_PERIOD_DAYS} hari", field="from")
    if end >= date.max:
        raise InvalidInput("tanggal akhir terlalu jauh", field="to")


def _params(start: date, end: date, jurisdiction_ids: Iterable[int] | None) -> dict[str, Any]:
    check_period(start, end)
    first, last = timezones.day_span_utc(start, end)
    ids = None if jurisdiction_ids is None else sorted(jurisdiction_ids)
    period = {"start": first, "end": last, "first_day": start, "last_day": end}
    return period | {"ids": ids} | timezones.sql_zone_params()


def _num(value: Any, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def _stats(row: Any) -> dict[str, Any]:
    """Counts, and response figures of verified arrivals with the unverified ones apart."""
    return {
        "count": row["total"],
        "arrived": row["arrived"],
        "arrived_verified": row["arrived_verified"],
        "arrived_unverified": row["arrived_unverified"],
        "within_target_share": _num(row["within_share"], 4),
        "median_response_s": _num(row["median_s"]),
        "p90_response_s": _num(row["p90_s"]),
        "unverified": {
            "within_target_share": _num(row["unverified_within_share"], 4),
            "median_response_s": _num(row["unverified_median_s"]),
            "p90_response_s": _num(row["unverified_p90_s"]),
        },
    }


def summarize_period(
    session: Session, *, start: date, end: date, jurisdiction_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Totals, share within target and percentiles, by category and by local hour of day."""
    params = _params(start, end, jurisdiction_ids)
    row = session.execute(SUMMARY_SQL, params).mappings().one()
    total = _stats(row)
    categories = [
        {"category": row["category"], **_stats(row)}
        for row in session.execute(BY_CATEGORY_SQL, params).mappings()
    ]
    hours = {row["hour"]: row for row in session.execute(BY_HOUR_SQL, params).mappings()}
    by_hour = [
        {
            "hour": hour,
            "count": hours[hour]["total"] if hour in hours else 0,
            "arrived_verified": hours[hour]["arrived_verified"] if hour in hours else 0,
            "arrived_unverified": hours[hour]["arrived_unverified"] if hour in hours else 0,
            "p90_response_s": _num(hours[hour]["p90_s"]) if hour in hours else None,
        }
        for hour in range(24)
    ]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "zones": sorted(row["zones"] or []),
        "period_label": timezones.period_label(start, end, list(row["zones"] or [])),
        "total": total["count"],
        **{k: v for k, v in total.items() if k != "count"},
        "by_category": categories,
        "by_hour": by_hour,
    }


def heat_points(
    session: Session, *, start: date, end: date, jurisdiction_ids: Iterable[int] | None = None
) -> list[list[float]]:
    """[lat, lon, weight] of verified arrivals; weight grows with response time / target."""
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
            arrived_verified=row["arrived_verified"],
            arrived_unverified=row["arrived_unverified"],
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
    """One row per incident: local times with offset, category, Polsek, response, arrival."""
    rows = session.execute(EXPORT_SQL, _params(start, end, jurisdiction_ids)).mappings()
    return [_export_row(row) for row in rows]


def _export_row(row: Any) -> dict[str, Any]:
    response_s, target_s, zone = _num(row["response_s"]), row["target_s"], row["tz"]
    verified = None if row["not_arrived"] else bool(row["verified"])
    # Only a verified arrival can meet (or miss) the target; an unverified one stays open.
    within = None if not verified or target_s is None else response_s <= target_s
    out = {k: row[k] for k in EXPORT_FIELDS if k in row}
    out.update(response_s=response_s, within_target=within, tz=zone)
    out.update(arrival=ARRIVAL_LABELS[verified], arrival_verified=verified)
    for key, local in LOCAL_TIMES:
        out[key] = timezones.iso_local(row[key], zone)
        out[local] = timezones.format_local(row[key], zone)
    return out


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text with a header line in Bahasa Indonesia (UTF-8, comma separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(label for _, label in EXPORT_COLUMNS)
    for row in rows:
        writer.writerow(_csv_value(key, row.get(key)) for key in EXPORT_FIELDS)
    return buffer.getvalue()


def _csv_value(key: str, value: Any) -> Any:
    if key == "within_target":
        return YES_NO[value]
    return "" if value is None else value


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
