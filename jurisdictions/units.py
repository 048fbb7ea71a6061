"""Turning file features into jurisdictions ("units"): per schema, explicit fields, native."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely

from core.errors import InvalidInput
from jurisdictions.models import DEPTH, LEVELS, TIMEZONES
from jurisdictions.sources import LEVEL_TITLES, Features, Schema
from jurisdictions.timezones import timezone_for_province


@dataclass
class Unit:
    """One jurisdiction to write: derived units are dissolved ancestors kept if they exist."""

    level: str
    code: str
    name: str
    parent_code: str | None
    admin_codes: list[str]
    geom: shapely.MultiPolygon
    response_target_s: int | None = None
    timezone: str | None = None
    derived: bool = False
    notes: list[str] = field(default_factory=list)


def dissolve(geoms: Iterable[shapely.Geometry]) -> shapely.MultiPolygon:
    """Union of polygons: the fast coverage union when they form a clean coverage."""
    items = list(geoms)
    if len(items) == 1:
        return as_multi(items[0])
    merged = shapely.coverage_union_all(items)
    if not shapely.is_valid(merged):
        merged = shapely.union_all(items)
    return as_multi(merged)


def as_multi(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """Any polygonal geometry as a MultiPolygon (the column type)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(parts)


def units_from_schema(features: Features, schema: Schema) -> list[Unit]:
    """One unit per code at every level the schema carries; coarser levels are dissolved."""
    columns = [(lv, features.column(lv.code), features.column(lv.name)) for lv in schema.levels]
    finest = columns[-1][1]
    _require_codes(features, schema.levels[-1].code, finest)
    units: list[Unit] = []
    for depth, (lv, codes, names) in enumerate(columns):
        parents = columns[depth - 1][1] if depth else None
        groups: dict[str, list[int]] = {}
        for i, code in enumerate(codes):
            groups.setdefault(code, []).append(i)
        for code, rows in sorted(groups.items()):
            parent = _one_parent(features, lv.code, code, parents, rows)
            units.append(
                Unit(
                    level=lv.level,
                    code=code,
                    name=f"{LEVEL_TITLES[lv.level]} {names[rows[0]]}",
                    parent_code=parent,
                    admin_codes=[code],
                    geom=dissolve(features.geoms[rows]),
                    timezone=_zone(schema, lv.level, code),
                    derived=lv is not schema.levels[-1],
                )
            )
    return units


def _zone(schema: Schema, level: str, code: str) -> str | None:
    # Kemendagri and BIG codes start with the province code; GADM ids do not.
    if level == "polda" and schema.name in ("kemendagri", "big"):
        return timezone_for_province(code)
    return None


def _require_codes(features: Features, field_name: str, codes: np.ndarray) -> None:
    for i, code in enumerate(codes):
        if not code:
            raise InvalidInput(f"{features.label(i)}: {field_name} kosong", field=field_name)


def _one_parent(
    features: Features, field_name: str, code: str, parents: np.ndarray | None, rows: list[int]
) -> str | None:
    if parents is None:
        return None
    found = {parents[i] for i in rows}
    if len(found) != 1 or None in found or "" in found:
        raise InvalidInput(
            f"{features.label(rows[0], field_name)}: induk tidak jelas ({sorted(map(str, found))})",
            field=field_name,
        )
    return found.pop()


def units_from_explicit(
    features: Features,
    *,
    level: str,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
) -> list[Unit]:
    """Single-level file with named fields; without parent_field the parent is the code prefix."""
    check_level(level)
    for name in (code_field, name_field, parent_field):
        if name and not features.has(name):
            raise InvalidInput(f"kolom {name} tidak ada di {features.path.name}", field=name)
    codes, names = features.column(code_field), features.column(name_field)
    _require_codes(features, code_field, codes)
    parents = features.column(parent_field) if parent_field else None
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        groups.setdefault(code, []).append(i)
    return [
        Unit(
            level=level,
            code=code,
            name=names[rows[0]],
            parent_code=_explicit_parent(level, code, parents, rows),
            admin_codes=[code],
            geom=dissolve(features.geoms[rows]),
        )
        for code, rows in sorted(groups.items())
    ]


def _explicit_parent(
    level: str, code: str, parents: np.ndarray | None, rows: list[int]
) -> str | None:
    if level == "polda":
        return None
    if parents is not None:
        return parents[rows[0]] or None
    return code.rsplit(".", 1)[0] if "." in code else None


def units_from_native(features: Features) -> list[Unit]:
    """The project's own schema: code, name, level, parent, response_target_s, timezone."""
    cols = {name: features.column(name) for name in features.fields}
    units = []
    for i in range(len(features.geoms)):
        label = features.label(i, "code")
        level = check_level(cols["level"][i], label)
        units.append(
            Unit(
                level=level,
                code=cols["code"][i],
                name=cols["name"][i],
                parent_code=_get(cols, "parent", i) or None,
                admin_codes=split_codes(_get(cols, "admin_codes", i)) or [cols["code"][i]],
                geom=features.geoms[i],
                response_target_s=parse_target(_get(cols, "response_target_s", i), label),
                timezone=parse_timezone(_get(cols, "timezone", i), label),
            )
        )
    return sorted(units, key=lambda u: (DEPTH[u.level], u.code))


def _get(cols: dict[str, np.ndarray], name: str, index: int) -> str | None:
    return cols[name][index] if name in cols else None


def split_codes(value: str | None) -> list[str]:
    return [c for c in (value or "").replace(",", ";").replace(" ", ";").split(";") if c]


def check_level(value: str | None, label: str = "level") -> str:
    """A level name, or InvalidInput naming the offending feature or option."""
    if value not in LEVELS:
        raise InvalidInput(f"{label}: tingkat '{value}' bukan salah satu {LEVELS}", field="level")
    return value


def parse_target(value: str | None, label: str) -> int | None:
    """Response target in whole seconds > 0, or None when empty."""
    if value in (None, "", "None"):
        return None
    try:
        seconds = int(float(value))
    except ValueError:
        raise InvalidInput(
            f"{label}: target '{value}' bukan angka detik", field="response_target_s"
        ) from None
    if seconds <= 0:
        raise InvalidInput(f"{label}: target harus > 0 detik", field="response_target_s")
    return seconds


def parse_timezone(value: str | None, label: str) -> str | None:
    """WIB/WITA/WIT, or None when empty."""
    if value in (None, "", "None"):
        return None
    if value.upper() not in TIMEZONES:
        raise InvalidInput(f"{label}: zona waktu '{value}' bukan WIB/WITA/WIT", field="timezone")
    return value.upper()
