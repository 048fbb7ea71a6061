"""Mapping-file mode: police jurisdictions as unions of admin polygons listed in a CSV.

CSV columns: code, name, level, parent, admin_codes (separated by ';' or spaces; a code
covers every feature whose admin code equals it or starts with it plus '.'), and optionally
response_target_s, timezone. A row without admin codes is the union of its children.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.errors import InvalidInput
from jurisdictions.models import DEPTH
from jurisdictions.sources import Features
from jurisdictions.units import (
    Unit,
    check_level,
    dissolve,
    parse_target,
    parse_timezone,
    split_codes,
)

REQUIRED = ("code", "name", "level")


def read_rows(path: Path) -> list[dict[str, str]]:
    """CSV rows with lower-case column names; InvalidInput when columns are missing."""
    if not path.exists():
        raise InvalidInput(f"berkas pemetaan {path} tidak ditemukan", field="mapping")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidInput(f"{path.name}: kolom {missing} tidak ada", field="mapping")
        return [
            {k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader
        ]


def units_from_mapping(features: Features, *, admin_field: str, mapping: Path) -> list[Unit]:
    """Dissolve the file's admin polygons into the jurisdictions the mapping CSV defines."""
    admin = features.column(admin_field)
    units: list[Unit] = []
    for number, row in enumerate(read_rows(mapping), start=2):
        label = f"{mapping.name} baris {number} (code={row.get('code')})"
        codes = split_codes(row.get("admin_codes"))
        geom = None
        if codes:
            rows = _rows_for(admin, codes, label)
            geom = dissolve(features.geoms[rows])
        units.append(
            Unit(
                level=check_level(row["level"], label),
                code=row["code"],
                name=row["name"],
                parent_code=row.get("parent") or None,
                admin_codes=codes,
                geom=geom,  # type: ignore[arg-type]  # filled from children below
                response_target_s=parse_target(row.get("response_target_s"), label),
                timezone=parse_timezone(row.get("timezone"), label),
            )
        )
    _check_unique(units, mapping.name)
    _fill_from_children(units, mapping.name)
    return sorted(units, key=lambda u: (DEPTH[u.level], u.code))


def _rows_for(admin: np.ndarray, codes: list[str], label: str) -> np.ndarray:
    picked = np.zeros(len(admin), dtype=bool)
    for code in codes:
        hit = np.array([a == code or (a or "").startswith(code + ".") for a in admin])
        if not hit.any():
            raise InvalidInput(f"{label}: kode wilayah {code} tidak ada di berkas", field="mapping")
        picked |= hit
    return np.flatnonzero(picked)


def _check_unique(units: list[Unit], name: str) -> None:
    seen: dict[str, str] = {}
    for unit in units:
        if unit.code in seen:
            raise InvalidInput(f"{name}: kode {unit.code} muncul dua kali", field="mapping")
        seen[unit.code] = unit.level


def _fill_from_children(units: list[Unit], name: str) -> None:
    # Deepest first, so a Polda without admin codes sees its Polres already filled.
    for unit in sorted(units, key=lambda u: -DEPTH[u.level]):
        if unit.geom is not None:
            continue
        children = [u.geom for u in units if u.parent_code == unit.code and u.geom is not None]
        if not children:
            raise InvalidInput(
                f"{name}: {unit.code} tanpa admin_codes dan tanpa anak berwilayah", field="mapping"
            )
        unit.geom = dissolve(children)
