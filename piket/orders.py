"""The Perwira Piket's queue and orders: what, to whom, by when; actions taken; done.

An order is written to the incident's log (so it is in the shift's buku mutasi); the
operator records each action taken, and the order is followed until it is done.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from dispatch.intake import get_incident
from dispatch.log import append_log
from dispatch.models import Incident
from piket.forwards import CRIME_CATEGORIES, suggested_functions
from piket.models import Forward, Order, OrderAction
from piket.shifts import current_shift


def _tz_aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput("waktu harus memakai zona waktu", field=field)
    return value


def give_order(
    session: Session,
    *,
    incident_id: int,
    instruction: str,
    assignee: str,
    due_at: datetime | None,
    actor: str,
    center_id: int | None = None,
    jurisdiction_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> Order:
    """Record an order of the Perwira Piket on an incident (to the shift on duty)."""
    now = now or datetime.now(UTC)
    incident = get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    due_at = _tz_aware(due_at, "due_at")
    if due_at is not None and due_at <= now:
        raise InvalidInput("batas waktu perintah harus di masa depan", field="due_at")
    shift = current_shift(session, center_id=center_id) if center_id else None
    order = Order(
        incident_id=incident.id,
        shift_id=shift.id if shift else None,
        given_by=actor,
        given_at=now,
        instruction=instruction.strip(),
        assignee=assignee.strip(),
        due_at=due_at,
        status="open",
    )
    session.add(order)
    session.flush()
    by_when = f" paling lambat {due_at.isoformat(timespec='minutes')}" if due_at else ""
    append_log(
        session,
        incident_id=incident.id,
        actor=actor,
        action="order",
        at=now,
        message=f"Perintah Perwira Piket kepada {order.assignee}: {order.instruction}{by_when}",
        detail={"order_id": order.id},
    )
    return order


def get_order(
    session: Session, *, order_id: int, jurisdiction_ids: Collection[int] | None = None
) -> Order:
    """One order whose incident is in the caller's scope."""
    order = session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"perintah {order_id} tidak ada", field="order_id")
    get_incident(session, incident_id=order.incident_id, jurisdiction_ids=jurisdiction_ids)
    return order


def record_action(
    session: Session, *, order: Order, note: str, actor: str, now: datetime | None = None
) -> OrderAction:
    """The operator records an action taken on an order."""
    now = now or datetime.now(UTC)
    if order.status != "open":
        raise Conflict(f"perintah {order.id} sudah selesai", field="order_id")
    action = OrderAction(order_id=order.id, at=now, actor=actor, note=note.strip())
    session.add(action)
    append_log(
        session,
        incident_id=order.incident_id,
        actor=actor,
        action="order_action",
        at=now,
        message=f"Tindakan atas perintah #{order.id}: {action.note}",
        detail={"order_id": order.id},
    )
    return action


def finish_order(
    session: Session,
    *,
    order: Order,
    result: str,
    status: str,
    actor: str,
    now: datetime | None = None,
) -> Order:
    """Close an order as done (with its result) or cancelled."""
    now = now or datetime.now(UTC)
    if order.status != "open":
        raise Conflict(f"perintah {order.id} sudah selesai", field="order_id")
    order.status, order.done_at, order.done_by, order.result = status, now, actor, result.strip()
    word = "selesai" if status == "done" else "dibatalkan"
    late = bool(order.due_at and now > order.due_at)
    append_log(
        session,
        incident_id=order.incident_id,
        actor=actor,
        action=f"order_{status}",
        at=now,
        message=f"Perintah #{order.id} {word}"
        + (" (lewat batas waktu)" if late else "")
        + f": {order.result}",
        detail={"order_id": order.id, "late": late},
    )
    return order


def order_view(session: Session, order: Order, *, now: datetime) -> dict[str, Any]:
    """An order with its actions, and whether it is overdue."""
    actions = session.scalars(
        select(OrderAction).where(OrderAction.order_id == order.id).order_by(OrderAction.id)
    )
    view = {c.key: getattr(order, c.key) for c in Order.__table__.columns}
    view["overdue"] = bool(order.status == "open" and order.due_at and now > order.due_at)
    view["actions"] = [{"at": a.at, "actor": a.actor, "note": a.note} for a in actions]
    return view


def list_orders(
    session: Session,
    *,
    jurisdiction_ids: Collection[int] | None,
    incident_id: int | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    now: datetime | None = None,
    limit: int = 200,
) -> list[Order]:
    """Orders whose incidents are in scope, newest first."""
    now = now or datetime.now(UTC)
    query = select(Order).join(Incident, Incident.id == Order.incident_id)
    if jurisdiction_ids is not None:
        ids = list(jurisdiction_ids)
        query = query.where(
            or_(
                Incident.polda_id.in_(ids), Incident.polres_id.in_(ids), Incident.polsek_id.in_(ids)
            )
        )
    if incident_id is not None:
        query = query.where(Order.incident_id == incident_id)
    if open_only or overdue_only:
        query = query.where(Order.status == "open")
    if overdue_only:
        query = query.where(Order.due_at < now)
    return list(session.scalars(query.order_by(Order.given_at.desc()).limit(limit)))


def perwira_queue(
    session: Session, *, center_id: int, now: datetime | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The Perwira's queue: the centre's open incidents and those of the shift on duty.

    Each row says what is pending: orders (overdue ones counted), forwards (unacknowledged,
    escalated) and the functions a crime or accident still has to be forwarded to.
    """
    now = now or datetime.now(UTC)
    shift = current_shift(session, center_id=center_id)
    since = shift.opened_at if shift and shift.opened_at else now
    in_center = or_(Incident.polda_id == center_id, Incident.polres_id == center_id)
    incidents = list(
        session.scalars(
            select(Incident)
            .where(in_center, Incident.validity.not_in(("invalid", "prank")))
            .where(or_(Incident.closed_at.is_(None), Incident.created_at >= since))
            .order_by(Incident.priority, Incident.created_at.desc())
            .limit(limit)
        )
    )
    ids = [i.id for i in incidents]
    orders = _by_incident(session, Order, ids)
    forwards = _by_incident(session, Forward, ids)
    return [_queue_row(i, orders.get(i.id, []), forwards.get(i.id, []), now) for i in incidents]


def _by_incident(session: Session, model: type, ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    if ids:
        for row in session.scalars(select(model).where(model.incident_id.in_(ids))):
            found.setdefault(row.incident_id, []).append(row)
    return found


def _queue_row(
    incident: Incident, orders: list[Order], forwards: list[Forward], now: datetime
) -> dict[str, Any]:
    forwarded = {f.function_code for f in forwards}
    pending = [code for code in suggested_functions(incident.category) if code not in forwarded]
    open_orders = [o for o in orders if o.status == "open"]
    return {
        "id": incident.id,
        "category": incident.category,
        "priority": incident.priority,
        "status": incident.status,
        "validity": incident.validity,
        "address": incident.address,
        "call_received_at": incident.call_received_at,
        "closed_at": incident.closed_at,
        "crime": incident.category in CRIME_CATEGORIES,
        "suggested_forwards": pending,
        "orders_open": len(open_orders),
        "orders_overdue": sum(1 for o in open_orders if o.due_at and now > o.due_at),
        "forwards": [
            {
                "id": f.id,
                "function_code": f.function_code,
                "status": f.status,
                "overdue": f.acknowledged_at is None and now > f.ack_deadline,
            }
            for f in forwards
        ],
    }
