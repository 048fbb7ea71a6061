"""Fix filters: every reject reason, and the speed check's escape hatch."""

from __future__ import annotations

import pytest

from tracking.decode import Fix
from tracking.filters import FilterLimits, FixFilter, LastFix, haversine_m

NOW = 1_800_000_000.0
LIMITS = FilterLimits(max_fix_age_s=86400, max_future_s=60, max_accuracy_m=500, max_speed_mps=90)


def fix(lon=116.84, lat=-1.26, at=NOW - 10, acc=5.0) -> Fix:
    return Fix(lon, lat, at, None, None, acc, "{}")


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (fix(lon=200.0), "invalid_coordinates"),
        (fix(lat=float("nan")), "invalid_coordinates"),
        (fix(lon=0.0, lat=0.0), "zero_coordinates"),
        (fix(at=NOW + 3600), "future_fix"),
        (fix(at=NOW - 3 * 86400), "too_old"),
        (fix(acc=1500.0), "poor_accuracy"),
        (fix(), None),
    ],
)
def test_static_filters(candidate, reason):
    assert FixFilter(LIMITS).check(1, candidate, now=NOW) == reason


def test_duplicate_and_impossible_speed():
    flt = FixFilter(LIMITS)
    assert flt.check(1, fix(at=NOW - 20), now=NOW) is None
    assert flt.check(1, fix(at=NOW - 20), now=NOW) == "duplicate"
    # 0.1 degree (about 11 km) in 10 s is 1,100 m/s.
    assert flt.check(1, fix(lon=116.94, at=NOW - 10), now=NOW) == "impossible_speed"
    assert flt.check(1, fix(lon=116.8402, at=NOW - 10), now=NOW) is None
    # Another unit is judged on its own history.
    assert flt.check(2, fix(lon=116.94, at=NOW - 10), now=NOW) is None


def test_speed_check_skipped_after_long_gap():
    flt = FixFilter(LIMITS)
    assert flt.check(1, fix(at=NOW - 4000), now=NOW) is None
    assert flt.check(1, fix(lon=117.0, at=NOW - 10), now=NOW) is None


def test_haversine_one_degree_at_equator():
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-3)


def test_glitch_first_fix_cannot_lock_a_unit_out():
    """A glitch accepted first (nothing to judge it against) gives way to the real track."""
    flt = FixFilter(LIMITS)
    assert flt.check(1, fix(lon=117.5, at=NOW - 40), now=NOW) is None  # the glitch, 70 km off
    assert flt.check(1, fix(lon=116.8400, at=NOW - 30), now=NOW) == "impossible_speed"
    assert flt.check(1, fix(lon=116.8401, at=NOW - 25), now=NOW) == "impossible_speed"
    # The third consistent fix outweighs the glitch: it is trusted from now on.
    assert flt.check(1, fix(lon=116.8402, at=NOW - 20), now=NOW) is None
    assert flt.check(1, fix(lon=116.8403, at=NOW - 15), now=NOW) is None
    # And the glitch's place is now the impossible one.
    assert flt.check(1, fix(lon=117.5, at=NOW - 10), now=NOW) == "impossible_speed"


def test_inconsistent_glitches_do_not_count_as_a_track():
    flt = FixFilter(LIMITS)
    assert flt.check(1, fix(lon=116.84, at=NOW - 40), now=NOW) is None
    for i, lon in enumerate((117.5, 116.0, 117.9, 115.5)):
        assert flt.check(1, fix(lon=lon, at=NOW - 35 + i), now=NOW) == "impossible_speed"
    assert flt.check(1, fix(lon=116.8401, at=NOW - 30), now=NOW) is None


def test_seeded_trusted_fix_judges_the_first_fix_after_a_restart():
    """The worker seeds each unit with its latest stored fix: a glitch after a restart is
    judged against it instead of becoming the reference."""
    flt = FixFilter(LIMITS)
    flt.seed(1, LastFix(NOW - 60, 116.84, -1.26))
    assert flt.check(1, fix(lon=117.5, at=NOW - 50), now=NOW) == "impossible_speed"
    assert flt.check(1, fix(at=NOW - 60), now=NOW) == "duplicate"  # the seeded fix itself
    assert flt.check(1, fix(lon=116.8401, at=NOW - 40), now=NOW) is None
