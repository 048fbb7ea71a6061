"""Unit statuses: what each means, which moves are allowed, and what a tracker's report does.

One table for both sides: tracking's ingest applies a tracker's /status to the unit, dispatch's
worker moves the unit's assignment, and the recommendation, coverage and assignment pick
units by the same `DISPATCHABLE` set, so the two can no longer disagree.

"returning" (Bahasa: *kembali*) is a crew that finished at the scene and is driving back to its
post or patrol area. Its job is done, so the assignment is cleared; the unit is crewed, in
service and reachable, so it may be diverted to a new call like an available unit (a 110
fleet does not keep a car idle for the drive home). It stays its own status so the commander
sees which units are not at their post, and it ends with "available" at the post.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = (
    "available",
    "dispatched",
    "en_route",
    "on_scene",
    "returning",
    "off_duty",
    "out_of_service",
)
# Units that may be recommended and assigned (still only when linked, fresh and unassigned).
DISPATCHABLE: tuple[str, ...] = ("available", "returning")

# Allowed status transitions; anything else is refused (Conflict).
TRANSITIONS: dict[str, frozenset[str]] = {
    "available": frozenset({"dispatched", "off_duty", "out_of_service"}),
    "dispatched": frozenset({"en_route", "on_scene", "returning", "available", "out_of_service"}),
    "en_route": frozenset({"on_scene", "available", "returning", "out_of_service"}),
    "on_scene": frozenset({"returning", "available", "out_of_service"}),
    "returning": frozenset({"available", "dispatched", "off_duty", "out_of_service"}),
    "off_duty": frozenset({"available", "out_of_service"}),
    "out_of_service": frozenset({"available", "off_duty"}),
}


@dataclass(frozen=True)
class TrackerReport:
    """What one /status word from a tracker does: to the unit, and to its active assignment."""

    unit_status: str | None  # None: the unit's status is left alone
    assignment_step: str | None  # None: the assignment is left alone


TRACKER_REPORTS: dict[str, TrackerReport] = {
    "ack": TrackerReport(None, "acknowledged"),
    "acknowledged": TrackerReport(None, "acknowledged"),
    "en_route": TrackerReport("en_route", "en_route"),
    "on_scene": TrackerReport("on_scene", "on_scene"),
    "arrived": TrackerReport("on_scene", "on_scene"),
    "cleared": TrackerReport("available", "cleared"),
    "returning": TrackerReport("returning", "cleared"),
    "available": TrackerReport("available", "cleared"),
    "off_duty": TrackerReport("off_duty", None),
    "out_of_service": TrackerReport("out_of_service", None),
}

# The unit status that follows an assignment step made on a page (crew or operator).
STEP_UNIT_STATUS: dict[str, str | None] = {
    "acknowledged": None,
    "en_route": "en_route",
    "on_scene": "on_scene",
    "cleared": "available",
    "cancelled": "available",
}
# Steps that release the assignment: the unit must then be dispatchable again.
RELEASING_STEPS = ("cleared", "cancelled")


def tracker_report(word: str | None) -> TrackerReport | None:
    """The meaning of a tracker's status word; None for a word the platform does not know."""
    return TRACKER_REPORTS.get(word or "")
