"""Reading boundary files: GeoJSON, GeoPackage, Shapefile in any CRS; schema detection; repair."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyogrio.errors import DataSourceError
from pyogrio.raw import read

from core.errors import InvalidInput
from geo.crs import lon_lat_bounds_ok, parse_crs, to_wgs84

LEVEL_TITLES = {"polda": "Polda", "polres": "Polres", "polsek": "Polsek"}


@dataclass(frozen=True)
class LevelFields:
    """Which attribute fields give the code and the name of one level."""

    level: str
    code: str
    name: str


@dataclass(frozen=True)
class Schema:
    """A recognised boundary schema: the levels it carries, coarsest first."""

    name: str
    levels: tuple[LevelFields, ...]


# Kemendagri-coded (cahyadsn), BIG RBI administrative, GADM: one feature names every level.
KNOWN_SCHEMAS = (
    Schema(
        "kemendagri",
        (
            LevelFields("polda", "kode_prov", "nama_prov"),
            LevelFields("polres", "kode_kab", "nama_kab"),
            LevelFields("polsek", "kode_kec", "nama_kec"),
        ),
    ),
    Schema(
        "big",
        (
            LevelFields("polda", "KDPPUM", "WADMPR"),
            LevelFields("polres", "KDPKAB", "WADMKK"),
            LevelFields("polsek", "KDCPUM", "WADMKC"),
        ),
    ),
    Schema(
        "gadm",
        (
            LevelFields("polda", "GID_1", "NAME_1"),
            LevelFields("polres", "GID_2", "NAME_2"),
            LevelFields("polsek", "GID_3", "NAME_3"),
        ),
    ),
)
# The project's own schema (demo set): one jurisdiction per feature, any level.
NATIVE_FIELDS = ("code", "name", "level")


@dataclass
class Features:
    """The attribute columns (by lower-case field name) and geometries of a file."""

    path: Path
    fields: dict[str, np.ndarray]
    geoms: np.ndarray
    repairs: list[str]

    def column(self, name: str) -> np.ndarray:
        """Values of a field (case-insensitive), as text with surrounding spaces removed."""
        values = self.fields[name.lower()]
        return np.array([_text(v) for v in values], dtype=object)

    def has(self, *names: str) -> bool:
        return all(name.lower() in self.fields for name in names)

    def label(self, index: int, field: str | None = None) -> str:
        """How a feature is named in messages: number and, when known, its code."""
        if field and self.has(field):
            return f"fitur #{index + 1} ({field}={self.column(field)[index]})"
        return f"fitur #{index + 1}"


def _text(value: object) -> str | None:
    # Missing numbers come back as NaN, integers of a float column as 600.0.
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_features(
    path: Path, *, crs: str | None = None, label_field: str | None = None
) -> Features:
    """Read a boundary file, reproject to EPSG:4326 and repair invalid polygons."""
    if not path.exists():
        raise InvalidInput(f"berkas {path} tidak ditemukan", field="file")
    try:
        meta, _, wkb, columns = read(path)
    except DataSourceError as exc:
        raise InvalidInput(f"berkas {path} tidak dapat dibaca: {exc}", field="file") from None
    fields = {str(name).lower(): col for name, col in zip(meta["fields"], columns, strict=True)}
    features = Features(path, fields, np.empty(0, dtype=object), [])
    label_field = label_field or _code_field(features)
    geoms = np.array([None if w is None else shapely.from_wkb(w) for w in wkb], dtype=object)
    source = parse_crs(crs) or parse_crs(meta.get("crs"))
    if source is None:
        raise InvalidInput(f"{path.name}: CRS tidak diketahui; sebutkan dengan --crs", field="crs")
    geoms = to_wgs84(geoms, source)
    features.geoms = _repair_all(features, geoms, label_field)
    if len(features.geoms) and not lon_lat_bounds_ok(features.geoms):
        raise InvalidInput(
            f"{path.name}: koordinat di luar rentang bujur/lintang; CRS salah? (pakai --crs)",
            field="crs",
        )
    return features


def _code_field(features: Features) -> str | None:
    """The finest code field of a known schema, to name features in messages."""
    candidates = [lv.code for schema in KNOWN_SCHEMAS for lv in reversed(schema.levels)]
    return next((name for name in [*candidates, "code"] if features.has(name)), None)


def _repair_all(features: Features, geoms: np.ndarray, label_field: str | None) -> np.ndarray:
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        out[i] = _polygonal(features, i, geom, label_field)
    return out


def _polygonal(
    features: Features, index: int, geom: object, label_field: str | None
) -> shapely.MultiPolygon:
    label = features.label(index, label_field)
    if geom is None or shapely.is_empty(geom):
        raise InvalidInput(f"{label}: geometri kosong", field="geometry")
    geom = shapely.force_2d(geom)
    if shapely.get_type_id(geom) not in (3, 6, 7):  # Polygon, MultiPolygon, collection
        raise InvalidInput(f"{label}: geometri {geom.geom_type} bukan poligon", field="geometry")
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        repaired = _only_polygons(shapely.make_valid(geom, method="structure"))
        if repaired.is_empty:
            raise InvalidInput(f"{label}: geometri tidak valid ({reason})", field="geometry")
        features.repairs.append(
            f"{label}: diperbaiki ({reason}); luas {geom.area:.6g} -> {repaired.area:.6g} deg²"
        )
        return repaired
    return _only_polygons(geom)


def _only_polygons(geom: object) -> shapely.MultiPolygon:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polygons)


def detect_schema(features: Features) -> Schema | None:
    """The known schema whose fields the file has (levels it lacks are dropped); None if none."""
    for schema in KNOWN_SCHEMAS:
        levels = tuple(lv for lv in schema.levels if features.has(lv.code, lv.name))
        if levels and levels[0] == schema.levels[0]:
            return Schema(schema.name, levels)
    return None


def is_native(features: Features) -> bool:
    """True for the project's own schema (code, name, level[, parent, ...])."""
    return features.has(*NATIVE_FIELDS)
