"""Vehicle profiles from one config file (roads/speeds.toml), and their OSRM Lua profiles."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import osrm

from core.errors import SetupError

DEFAULT_SPEEDS_FILE = Path(__file__).with_name("speeds.toml")
PROFILE_TEMPLATE = Path(__file__).with_name("profile.lua")
# Boats never use roads: straight line over water at this speed.
BOAT_KMH = 25.0


@dataclass(frozen=True)
class VehicleProfile:
    """One vehicle kind's routing settings (see speeds.toml for the sources)."""

    kind: str
    label: str
    base: str
    motorcycle: bool
    allow_toll: bool
    vehicle_width_m: float
    vehicle_height_m: float
    speed_reduction: float
    access_kmh: float
    fallback_kmh: float
    detour_factor: float
    peak_factor: float
    peak_hours: frozenset[int]
    highway_kmh: dict[str, float]
    source: str = ""

    def is_peak(self, local_hour: int) -> bool:
        """Whether the local wall-clock hour is a peak hour for this kind."""
        return local_hour in self.peak_hours


def speeds_file(path: Path | None) -> Path:
    """The configured speeds file, or the one shipped with the package."""
    return path or DEFAULT_SPEEDS_FILE


def load_profiles(path: Path | None = None) -> dict[str, VehicleProfile]:
    """Every vehicle profile of the speeds file, by kind (R4, R2)."""
    file = speeds_file(path)
    try:
        data = tomllib.loads(file.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"cannot read vehicle profiles {file}: {exc}") from exc
    profiles = {}
    for kind, table in data.get("profiles", {}).items():
        fields = dict(table)
        fields["peak_hours"] = frozenset(fields.get("peak_hours", []))
        fields["highway_kmh"] = {k: float(v) for k, v in fields["highway_kmh"].items()}
        profiles[kind] = VehicleProfile(kind=kind, **fields)
    if not profiles:
        raise SetupError(f"no [profiles.*] table in {file}")
    return profiles


def osrm_profiles_dir() -> Path:
    """The Lua profiles folder shipped inside the osrm-bindings wheel."""
    return Path(osrm.__file__).parent / "share" / "profiles"


def _lua_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value))
    if isinstance(value, dict):
        items = ", ".join(f'["{k}"] = {_lua_value(v)}' for k, v in sorted(value.items()))
        return "{ " + items + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_lua_profile(profile: VehicleProfile) -> str:
    """The OSRM Lua profile for one kind: the template with its settings in front."""
    settings = {
        "base": profile.base,
        "motorcycle": profile.motorcycle,
        "allow_toll": profile.allow_toll,
        "vehicle_width_m": profile.vehicle_width_m,
        "vehicle_height_m": profile.vehicle_height_m,
        "speed_reduction": profile.speed_reduction,
        "highway_kmh": profile.highway_kmh,
    }
    header = (
        f"OSRM_PROFILES = {_lua_value(str(osrm_profiles_dir()))}\nSIAGA = {_lua_value(settings)}\n"
    )
    return header + PROFILE_TEMPLATE.read_text()


def calibrated_text(text: str, fitted: dict[str, dict[str, float]], note: str) -> str:
    """The speeds file with fitted km/h in place (comments kept; no class added or removed)."""
    section, lines = "", []
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]")
        parts = section.split(".")
        kind = parts[1] if len(parts) > 1 and parts[0] == "profiles" else None
        key, _, rest = stripped.partition("=")
        key = key.strip()
        if kind in fitted and section.endswith(".highway_kmh") and key in fitted[kind]:
            comment = rest[rest.index("#") :] if "#" in rest else ""
            line = f"{key} = {fitted[kind][key]:g}" + (f"  {comment}" if comment else "") + "\n"
        elif kind in fitted and len(parts) == 2 and key == "source":
            line = f"source = {_lua_value(note)}\n"
        lines.append(line)
    return "".join(lines)
