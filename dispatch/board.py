"""The console's read side: the board of open incidents sorted by urgency, finding an incident
by number or caller phone, and the fleet with each unit's current Polsek."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispatch.clock import response_clock
from dispatch.intake import normalize_phone
from dispatch.models import Assignment, Incident
from dispatch.pranks import flagged_phones
from dispatch.views import incident_views, list_incidents
from tracking.models import Unit

FLEET_SQL = text((Path(__file__).parent / "sql" / "fleet.sql").read_text())
# A running clock with this share of its target left (or less) is "nearing target".
NEAR_TARGET_SHARE = 0.3
# Attention codes, most pressing first; the label is what the operator reads.
ATTENTION_LABELS: dict[str, str] = {
    "overdue": "Melewati target",
    "taken_back": "Diambil alih Polda",
    "not_acknowledged": "Unit belum mengonfirmasi",
    "near_target": "Mendekati target",
    "flagged_caller": "Nomor pernah iseng",
    "offer_waiting": "Menunggu diterima Polres",
    "pending": "Belum divalidasi",
    "no_unit": "Belum ada unit",
    "awaiting_close": "Menunggu penutupan",
}
# Attention that puts an incident at the top of the board.
PRESSING = frozenset({"overdue", "taken_back", "not_acknowledged", "near_target"})
BOARD_LIMIT = 500


def _units_by_incident(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = session.execute(
        select(Assignment, Unit.call_sign, Unit.kind)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.incident_id.in_(ids), Assignment.released_at.is_(None))
        .order_by(Assignment.id)
    )
    units: dict[int, list[dict[str, Any]]] = {}
    for assignment, call_sign, kind in rows:
        units.setdefault(assignment.incident_id, []).append(
            {
                "assignment_id": assignment.id,
                "unit_id": assignment.unit_id,
                "call_sign": call_sign,
                "kind": kind,
                "status": assignment.status,
                "not_acknowledged": assignment.alerted_at is not None
                and assignment.acked_at is None,
            }
        )
    return units


def attention(incident: Incident, clock: dict[str, Any], units: list[dict], flagged: bool) -> list:
    """Why an incident needs the operator now (codes in ATTENTION_LABELS order)."""
    codes = set()
    remaining, target = clock.get("remaining_s"), clock.get("target_s")
    if clock["state"] == "running" and remaining is not None and target:
        if remaining < 0:
            codes.add("overdue")
        elif remaining <= target * NEAR_TARGET_SHARE:
            codes.add("near_target")
    if incident.status == "escalated" and not units:
        codes.add("taken_back")
    if any(u["not_acknowledged"] for u in units):
        codes.add("not_acknowledged")
    if flagged:
        codes.add("flagged_caller")
    if incident.status == "offered":
        codes.add("offer_waiting")
    if incident.validity == "pending":
        codes.add("pending")
    elif incident.status in ("accepted", "escalated", "offered", "received") and not units:
        codes.add("no_unit")
    if incident.status == "cleared":
        codes.add("awaiting_close")
    return [code for code in ATTENTION_LABELS if code in codes]


def urgency_key(row: dict[str, Any]) -> tuple:
    """Pressing first, then clocks still running, then priority, then least time left."""
    clock = row["clock"]
    pressing = bool(PRESSING & set(row["attention"]))
    stopped = clock["state"] != "running"
    left = clock["remaining_s"] if clock["remaining_s"] is not None else math.inf
    return (not pressing, stopped, row["priority"], left, row["id"])


def open_board(
    session: Session,
    *,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every open incident in scope with its units, clock and attention, most urgent first."""
    now = now or datetime.now(UTC)
    incidents = list_incidents(
        session, open_only=True, jurisdiction_ids=jurisdiction_ids, limit=BOARD_LIMIT
    )
    by_id = {i.id: i for i in incidents}
    units = _units_by_incident(session, list(by_id))
    flagged = flagged_phones(session, {i.caller_phone for i in incidents})
    rows = []
    for view in incident_views(session, incidents):
        incident = by_id[view["id"]]
        view["clock"] = response_clock(incident, now=now)
        view["units"] = units.get(incident.id, [])
        view["caller_flagged"] = incident.caller_phone in flagged
        view["attention"] = attention(
            incident, view["clock"], view["units"], view["caller_flagged"]
        )
        rows.append(view)
    return sorted(rows, key=urgency_key)


def find_incidents(
    session: Session, *, query: str, jurisdiction_ids: Collection[int] | None = None
) -> list[dict[str, Any]]:
    """Incidents by number ("#12", "12") or by the caller's phone, newest first."""
    raw = query.strip()
    number = re.fullmatch(r"#?\s*(\d{1,9})", raw)
    found: list[Incident] = []
    if number and not raw.lstrip("#").startswith("0"):
        incident = session.get(Incident, int(number.group(1)))
        if incident is not None and _in(incident, jurisdiction_ids):
            found.append(incident)
    elif raw:
        found = list_incidents(
            session, phone=normalize_phone(raw), jurisdiction_ids=jurisdiction_ids, limit=50
        )
    return incident_views(session, found)


def _in(incident: Incident, jurisdiction_ids: Collection[int] | None) -> bool:
    from dispatch.intake import in_scope

    return in_scope(incident, jurisdiction_ids)


def fleet_board(
    session: Session,
    *,
    stale_s: float,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Units in scope (by home base) with fix age, current Polsek and active incident."""
    now = now or datetime.now(UTC)
    params = {
        "all_units": jurisdiction_ids is None,
        "ids": sorted(jurisdiction_ids or []),
    }
    units = []
    for row in session.execute(FLEET_SQL, params).mappings():
        unit = dict(row)
        fixed_at = unit["fixed_at"]
        unit["fix_age_s"] = None if fixed_at is None else max(0.0, (now - fixed_at).total_seconds())
        unit["fix_stale"] = unit["fix_age_s"] is None or unit["fix_age_s"] > stale_s
        unit["not_acknowledged"] = bool(unit["not_acknowledged"])
        units.append(unit)
    return units
