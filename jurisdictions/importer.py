"""`siaga jurisdictions import`: read a file, build the hierarchy, write it in one transaction."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.errors import InvalidInput
from jurisdictions.mapping import units_from_mapping
from jurisdictions.sources import detect_schema, is_native, read_features
from jurisdictions.store import ImportReport, apply_targets, write_units
from jurisdictions.units import (
    Unit,
    parse_target,
    parse_timezone,
    units_from_explicit,
    units_from_native,
    units_from_schema,
)


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: explicit fields (else auto-detected), mapping CSV, targets CSV."""

    level: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    parent_field: str | None = None
    crs: str | None = None
    mapping: Path | None = None
    targets: Path | None = None
    valid_from: datetime | None = None


@dataclass
class PreparedImport:
    """Units ready to write, with what reading them found."""

    units: list[Unit]
    schema: str
    repairs: list[str]


def prepare_import(path: Path, options: ImportOptions) -> PreparedImport:
    """Read and check the file and build units; touches no database."""
    features = read_features(path, crs=options.crs, label_field=options.code_field)
    schema = detect_schema(features)
    if options.mapping is not None:
        admin_field = options.code_field or (schema.levels[-1].code if schema else None)
        if admin_field is None or not features.has(admin_field):
            raise InvalidInput(
                "mode pemetaan perlu --code-field (kode wilayah)", field="code_field"
            )
        units = units_from_mapping(features, admin_field=admin_field, mapping=options.mapping)
        return PreparedImport(units, f"mapping ({admin_field})", features.repairs)
    if options.code_field or options.level:
        if not (options.level and options.code_field and options.name_field):
            raise InvalidInput(
                "--level, --code-field dan --name-field harus lengkap", field="level"
            )
        units = units_from_explicit(
            features,
            level=options.level,
            code_field=options.code_field,
            name_field=options.name_field,
            parent_field=options.parent_field,
        )
        return PreparedImport(units, "explicit", features.repairs)
    if schema is not None:
        return PreparedImport(units_from_schema(features, schema), schema.name, features.repairs)
    if is_native(features):
        return PreparedImport(units_from_native(features), "siaga", features.repairs)
    raise InvalidInput(
        f"{path.name}: skema tidak dikenali (kolom: {sorted(features.fields)}); "
        "pakai --level, --code-field, --name-field",
        field="file",
    )


def read_targets(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Targets CSV: code, response_target_s, timezone (either may be empty)."""
    if not path.exists():
        raise InvalidInput(f"berkas target {path} tidak ditemukan", field="targets")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    result = []
    for number, row in enumerate(rows, start=2):
        label = f"{path.name} baris {number}"
        code = (row.get("code") or "").strip()
        if not code:
            raise InvalidInput(f"{label}: kolom code kosong", field="targets")
        target = parse_target((row.get("response_target_s") or "").strip(), label)
        zone = parse_timezone((row.get("timezone") or "").strip(), label)
        result.append((code, target, zone))
    return result


def import_file(
    session: Session,
    *,
    path: Path,
    options: ImportOptions | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a boundary file into the caller's transaction; returns what changed."""
    options = options or ImportOptions()
    targets = read_targets(options.targets) if options.targets else []
    prepared = prepare_import(path, options)
    if on_total:
        on_total(len(prepared.units))
    report = ImportReport(repairs=list(prepared.repairs))
    write_units(
        session,
        units=prepared.units,
        valid_from=options.valid_from,
        progress=progress,
        report=report,
    )
    apply_targets(session, targets=targets, report=report)
    return report
