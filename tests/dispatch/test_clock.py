"""The response-time clock against the target (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch.clock import response_clock
from dispatch.models import Incident

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def _incident(**kw) -> Incident:  # noqa: ANN003
    return Incident(call_received_at=T0, response_target_s=600, **kw)


def test_running_shows_time_left_then_overdue() -> None:
    clock = response_clock(_incident(), now=T0 + timedelta(seconds=200))
    assert clock["state"] == "running" and clock["remaining_s"] == 400
    late = response_clock(_incident(), now=T0 + timedelta(seconds=700))
    assert late["remaining_s"] == -100 and "Melewati" in late["message"]


def test_met_and_missed_by_how_much() -> None:
    met = response_clock(_incident(on_scene_at=T0 + timedelta(seconds=480)))
    assert (met["state"], met["response_s"], met["margin_s"]) == ("met", 480, 120)
    missed = response_clock(_incident(on_scene_at=T0 + timedelta(seconds=750)))
    assert (missed["state"], missed["margin_s"]) == ("missed", -150)
    assert "2 mnt 30 dtk" in missed["message"]


def test_no_target_and_closed_without_arrival() -> None:
    no_target = Incident(call_received_at=T0, response_target_s=None)
    assert response_clock(no_target, now=T0 + timedelta(seconds=5))["state"] == "no_target"
    closed = _incident(closed_at=T0 + timedelta(seconds=30))
    assert response_clock(closed, now=T0 + timedelta(hours=1))["elapsed_s"] == 30
