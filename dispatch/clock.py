"""Response-time clock: call received -> first unit on scene, against the jurisdiction's target."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dispatch.models import Incident


def _minutes(seconds: float) -> str:
    seconds = abs(seconds)
    return f"{int(seconds // 60)} mnt {int(seconds % 60)} dtk"


def response_clock(incident: Incident, *, now: datetime | None = None) -> dict[str, Any]:
    """Time left while running; met / missed by how much once a unit is on scene."""
    now = now or datetime.now(UTC)
    target = incident.response_target_s
    start = incident.call_received_at
    if incident.on_scene_at is not None:
        clock = _arrived(incident, start, target)
        clock["verified"] = incident.arrival_verified
        if incident.arrival_verified is False:
            clock["message"] += " (kedatangan belum terverifikasi GPS)"
        return clock
    return _not_arrived(incident, start, target, now)


def _arrived(incident: Incident, start: datetime, target: int | None) -> dict[str, Any]:
    """Stopped at the first arrival: met or missed by how much."""
    response_s = (incident.on_scene_at - start).total_seconds()
    if target is None:
        return _clock(
            "no_target",
            None,
            response_s,
            None,
            response_s,
            None,
            f"Waktu respons {_minutes(response_s)} (tanpa target)",
        )
    margin_s = target - response_s
    met = margin_s >= 0
    message = (
        f"Target tercapai, {_minutes(margin_s)} lebih cepat"
        if met
        else f"Target terlewati {_minutes(margin_s)}"
    )
    return _clock(
        "met" if met else "missed", target, response_s, None, response_s, margin_s, message
    )


def _not_arrived(
    incident: Incident, start: datetime, target: int | None, now: datetime
) -> dict[str, Any]:
    """Running until a unit arrives; stopped unmeasured when closed without one."""
    end = incident.closed_at or now
    elapsed_s = (end - start).total_seconds()
    if target is None:
        return _clock(
            "no_target",
            None,
            elapsed_s,
            None,
            None,
            None,
            f"Berjalan {_minutes(elapsed_s)} (tanpa target)",
        )
    remaining_s = target - elapsed_s
    if incident.closed_at is not None:
        # Closed without anyone on scene (invalid, prank, duplicate): the clock stops unmeasured.
        return _clock(
            "not_reached", target, elapsed_s, None, None, None, "Ditutup tanpa unit di lokasi"
        )
    message = (
        f"Sisa waktu {_minutes(remaining_s)}"
        if remaining_s >= 0
        else f"Melewati target {_minutes(remaining_s)}"
    )
    return _clock("running", target, elapsed_s, remaining_s, None, None, message)


def _clock(
    state: str,
    target_s: int | None,
    elapsed_s: float,
    remaining_s: float | None,
    response_s: float | None,
    margin_s: float | None,
    message: str,
) -> dict[str, Any]:
    return {
        "state": state,
        "target_s": target_s,
        "elapsed_s": round(elapsed_s, 1),
        "remaining_s": None if remaining_s is None else round(remaining_s, 1),
        "response_s": None if response_s is None else round(response_s, 1),
        "margin_s": None if margin_s is None else round(margin_s, 1),
        "message": message,
        "verified": None,
    }
