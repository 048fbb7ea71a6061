"""Road ETAs and routes for dispatch: one engine call per vehicle kind, with honest fallbacks.

`estimate_etas` is what the recommendation calls: one OSRM table (the incident x every
shortlisted unit of a kind) per kind present. `route_to` is what the pages call: one OSRM
route whose duration is the same sum the table gave for that unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.settings import PROJECT_ROOT, Settings
from jurisdictions.timezones import local_hour  # noqa: F401  (the peak-hour clock callers use)
from roads.config import BOAT_KMH, VehicleProfile, load_profiles
from roads.engine import RoadEngine, load_engine
from roads.instructions import turn_list

DEMO_PBF = PROJECT_ROOT / "data" / "demo" / "balikpapan_kota_drive.osm.pbf"
SHARED_PBF = "roads/balikpapan_kota_drive.osm.pbf"
# Units of a kind without its own profile route as cars.
DEFAULT_KIND = "R4"

HOW = {
    "road": "lewat jaringan jalan",
    "no_data": "garis lurus x{detour} (data jalan belum dibangun)",
    "target_outside": "garis lurus x{detour} (lokasi kejadian di luar cakupan data jalan)",
    "unit_outside": "garis lurus x{detour} (unit di luar cakupan data jalan)",
    "water": "lewat air (garis lurus)",
}


@dataclass(frozen=True)
class Eta:
    """Travel time to the incident, how it was computed, and the distance by road if any."""

    eta_s: float
    method: str  # road | straight | water
    how: str  # Bahasa Indonesia, for the reasons column
    road_distance_m: float | None = None


def roads_dir(settings: Settings) -> Path:
    """Where the built road data lives."""
    return settings.roads_dir or settings.state_dir / "roads"


def source_pbf(settings: Settings) -> Path:
    """The OSM extract setup and demo build from (see Settings.roads_pbf)."""
    if settings.roads_pbf:
        path = Path(settings.roads_pbf)
        return path if path.is_absolute() else settings.shared_data_dir / path
    return DEMO_PBF if DEMO_PBF.is_file() else settings.shared_data_dir / SHARED_PBF


@lru_cache(maxsize=4)
def _profiles(path: Path | None) -> dict[str, VehicleProfile]:
    return load_profiles(path)


def vehicle_profiles(settings: Settings) -> dict[str, VehicleProfile]:
    """The configured vehicle profiles (read once per process)."""
    return _profiles(settings.roads_speeds_file)


@dataclass(frozen=True)
class Roads:
    """The loaded engine (None before `siaga roads build`) and the vehicle profiles."""

    engine: RoadEngine | None
    profiles: dict[str, VehicleProfile]


def roads_for(settings: Settings) -> Roads:
    """The current build's engine and the profiles; what dispatch and the pages pass around."""
    profiles = vehicle_profiles(settings)
    return Roads(load_engine(roads_dir(settings), profiles), profiles)


def profile_for(profiles: dict[str, VehicleProfile], kind: str) -> VehicleProfile:
    """The kind's profile (unknown kinds drive as cars)."""
    return profiles.get(kind) or profiles[DEFAULT_KIND]


def straight_line_eta(
    profiles: dict[str, VehicleProfile], distance_m: float, kind: str, reason: str = "no_data"
) -> Eta:
    """Straight-line distance x detour at the kind's fallback speed (boats: by water)."""
    if kind == "boat":
        return Eta(distance_m / (BOAT_KMH / 3.6), "water", HOW["water"])
    profile = profile_for(profiles, kind)
    how = HOW[reason].format(detour=f"{profile.detour_factor:g}".replace(".", ","))
    return Eta(distance_m * profile.detour_factor / (profile.fallback_kmh / 3.6), "straight", how)


def road_kind(engine: RoadEngine, kind: str) -> str | None:
    if kind == "boat":
        return None
    routed = kind if kind in engine.profiles else DEFAULT_KIND
    return routed if routed in engine.kinds() else None


def estimate_etas(
    roads: Roads,
    *,
    target: tuple[float, float],
    hour: int,
    units: list[tuple[str, float, float, float]],
) -> list[Eta]:
    """ETA for each unit (kind, lon, lat, straight metres): one table call per kind present."""
    engine, profiles = roads.engine, roads.profiles
    etas: list[Eta | None] = [None] * len(units)
    reasons = ["no_data"] * len(units)
    if engine is not None:
        by_kind: dict[str, list[int]] = {}
        for i, unit in enumerate(units):
            routed = road_kind(engine, unit[0])
            if routed:
                by_kind.setdefault(routed, []).append(i)
        for routed, idx in by_kind.items():
            factor = peak_factor(profile_for(profiles, routed), hour)
            origins = [(units[i][1], units[i][2]) for i in idx]
            target_inside, legs = engine.table_to(routed, target, origins)
            for i, leg in zip(idx, legs, strict=True):
                if leg is None:
                    reasons[i] = "unit_outside" if target_inside else "target_outside"
                    continue
                etas[i] = Eta(leg.duration_s * factor, "road", HOW["road"], leg.distance_m)
    return [
        eta or straight_line_eta(profiles, u[3], u[0], reasons[i])
        for i, (eta, u) in enumerate(zip(etas, units, strict=True))
    ]


def peak_factor(profile: VehicleProfile, hour: int) -> float:
    return profile.peak_factor if profile.is_peak(hour) else 1.0


def route_to(
    roads: Roads,
    *,
    kind: str,
    origin: tuple[float, float],
    target: tuple[float, float],
    hour: int,
) -> dict[str, Any] | None:
    """The route a unit drives (GeoJSON line, ETA, road distance, turn list); None off-road."""
    engine, profiles = roads.engine, roads.profiles
    routed = road_kind(engine, kind) if engine else None
    if routed is None:
        return None
    route = engine.route(routed, origin, target)
    if route is None:
        return None
    factor = peak_factor(profile_for(profiles, routed), hour)
    return {
        "type": "LineString",
        "coordinates": [list(p) for p in route.coordinates],
        "eta_s": round(route.leg.duration_s * factor, 1),
        "distance_m": round(route.leg.distance_m, 1),
        "profile": routed,
        "turns": turn_list(route.steps),
    }
