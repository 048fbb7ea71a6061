"""Fix filters: invalid or zero coordinates, future or too old, duplicate, poor accuracy,
impossible implied speed. Each returns a reason (the counter key) or None."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tracking.decode import Fix, is_finite_point

EARTH_RADIUS_M = 6_371_008.8
# Past this gap the implied-speed check is skipped (the unit may really be elsewhere by now).
SPEED_CHECK_MAX_GAP_S = 300.0
# Consecutive fixes, each plausible from the one before, that outweigh a trusted fix they all
# contradict: the trusted one was the glitch (say, the first fix after a restart).
RECOVER_AFTER_FIXES = 3


@dataclass(frozen=True)
class FilterLimits:
    max_fix_age_s: float
    max_future_s: float
    max_accuracy_m: float
    max_speed_mps: float


@dataclass(slots=True)
class LastFix:
    fixed_at: float
    lon: float
    lat: float


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (spherical Earth is plenty for a speed check)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def check_static(fix: Fix, *, now: float, limits: FilterLimits) -> str | None:
    """Checks that need nothing but the fix itself and the clock."""
    if not is_finite_point(fix.lon, fix.lat):
        return "invalid_coordinates"
    if abs(fix.lon) < 1e-6 and abs(fix.lat) < 1e-6:
        return "zero_coordinates"
    if not math.isfinite(fix.fixed_at) or fix.fixed_at > now + limits.max_future_s:
        return "future_fix"
    if fix.fixed_at < now - limits.max_fix_age_s:
        return "too_old"
    if fix.accuracy_m is not None and (
        fix.accuracy_m < 0 or fix.accuracy_m > limits.max_accuracy_m
    ):
        return "poor_accuracy"
    return None


@dataclass(slots=True)
class UnitTrack:
    """A unit's filter state: its trusted newest fix and the fixes that contradict it."""

    trusted: LastFix
    contrary: list[LastFix]


class FixFilter:
    """Filter state of every unit this worker stores (a unit is stored by one worker only)."""

    def __init__(self, limits: FilterLimits) -> None:
        self.limits = limits
        self.tracks: dict[int, UnitTrack] = {}

    def seed(self, unit_id: int, trusted: LastFix) -> None:
        """Start a unit's state from a fix stored earlier (unless it already has one)."""
        self.tracks.setdefault(unit_id, UnitTrack(trusted, []))

    def check(self, unit_id: int, fix: Fix, *, now: float) -> str | None:
        """Reason to reject the fix, or None (and remember it as the unit's newest)."""
        reason = check_static(fix, now=now, limits=self.limits)
        if reason is not None:
            return reason
        point = LastFix(fix.fixed_at, fix.lon, fix.lat)
        track = self.tracks.get(unit_id)
        if track is None:
            self.tracks[unit_id] = UnitTrack(point, [])
            return None
        if fix.fixed_at == track.trusted.fixed_at:
            return "duplicate"
        if self._plausible(track.trusted, point, fix.accuracy_m) or self._outweighs(track, point):
            if fix.fixed_at > track.trusted.fixed_at:
                track.trusted = point
            track.contrary.clear()
            return None
        return "impossible_speed"

    def is_newest(self, unit_id: int, fix: Fix) -> bool:
        """Whether an accepted fix is now the unit's newest (not a late or replayed one)."""
        track = self.tracks.get(unit_id)
        return track is not None and track.trusted.fixed_at == fix.fixed_at

    def _outweighs(self, track: UnitTrack, point: LastFix) -> bool:
        """Count `point` against the trusted fix; True once enough consistent ones agree."""
        chain = track.contrary
        if chain and not self._plausible(chain[-1], point, None):
            chain.clear()
        chain.append(point)
        return len(chain) >= RECOVER_AFTER_FIXES

    def _plausible(self, last: LastFix, point: LastFix, accuracy_m: float | None) -> bool:
        gap_s = abs(point.fixed_at - last.fixed_at)
        if gap_s > SPEED_CHECK_MAX_GAP_S:
            return True
        distance_m = haversine_m(last.lon, last.lat, point.lon, point.lat)
        # GPS noise of a few tens of metres over a 1 s gap is not a 90 m/s drive.
        slack_m = max(50.0, accuracy_m or 0.0)
        return distance_m - slack_m <= self.limits.max_speed_mps * max(gap_s, 1.0)
