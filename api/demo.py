"""Demo users, one per role, in the demo Polda Kaltim / Polresta Balikpapan / Polsek Balikpapan
Kota (for `siaga demo`)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import create_user, hash_password
from api.models import User


def _first(session: Session, level: str, parent_id: int | None, code: str) -> int | None:
    """The demo jurisdiction `code` when it is in force, else the first of `level`."""
    from jurisdictions.models import Jurisdiction

    query = select(Jurisdiction.id).where(
        Jurisdiction.level == level, Jurisdiction.valid_to.is_(None)
    )
    if parent_id is not None:
        query = query.where(Jurisdiction.parent_id == parent_id)
    return session.scalar(query.order_by(Jurisdiction.code != code, Jurisdiction.id).limit(1))


def _first_unit(session: Session, polsek: int | None) -> tuple[int, str] | None:
    """The crew login's unit: the first unit homed on the demo Polsek (where roads are)."""
    from tracking.models import Unit

    order = (Unit.home_jurisdiction_id.is_distinct_from(polsek), Unit.call_sign)
    row = session.execute(select(Unit.id, Unit.call_sign).order_by(*order).limit(1)).first()
    return (row.id, row.call_sign) if row else None


def _specs(session: Session) -> list[tuple[str, str, dict]]:
    """(username, role, create_user kwargs) for every demo user the data allows."""
    specs: list[tuple[str, str, dict]] = [("admin", "admin", {})]
    from jurisdictions.demo import POLDA_CODE, POLRES_CODE, ROAD_POLSEK_CODE

    polda = _first(session, "polda", None, POLDA_CODE)
    polres = _first(session, "polres", polda, POLRES_CODE) if polda else None
    polsek = _first(session, "polsek", polres, ROAD_POLSEK_CODE) if polres else None
    for username, role, jurisdiction_id in [
        ("operator.polda", "polda_operator", polda),
        ("operator.polres", "polres_operator", polres),
        ("operator.polsek", "polsek_operator", polsek),
        ("komandan", "commander", polda),
        ("perencana", "planner", polda),
        ("perwira.piket", "perwira_piket", polda),
        ("direktur", "direktur", polda),
        ("spkt.polres", "spkt", polres),
    ]:
        if jurisdiction_id is not None:
            specs.append((username, role, {"jurisdiction_id": jurisdiction_id}))
    if polres is not None:  # the Sat Reskrim desk of the Polres (piket forwards, SPKT gelar)
        specs.append(
            ("reskrim.polres", "desk", {"jurisdiction_id": polres, "function_code": "reskrim"})
        )
    unit = _first_unit(session, polsek)
    if unit is not None:
        specs.append((f"unit.{unit[1].lower()}", "unit", {"unit_id": unit[0]}))
    return specs


def _rehome(user: User, kwargs: dict) -> None:
    """A demo user made for other demo jurisdictions (or unit) moves to today's."""
    for field in ("jurisdiction_id", "unit_id"):
        if field in kwargs and getattr(user, field) != kwargs[field]:
            setattr(user, field, kwargs[field])


def demo_users(
    session: Session, *, known: dict[str, tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """Create missing demo users (idempotent); {username: (role, password)}.

    `known` holds passwords printed before; a demo user whose password is unknown gets a new one.
    """
    result: dict[str, tuple[str, str]] = {}
    for username, role, kwargs in _specs(session):
        user = session.scalar(select(User).where(User.username == username))
        password = known.get(username, (role, ""))[1]
        if user is None:
            password = password or secrets.token_urlsafe(9)
            create_user(session, username=username, password=password, role=role, **kwargs)
        else:
            _rehome(user, kwargs)
            if not password:
                password = secrets.token_urlsafe(9)
                user.password_hash = hash_password(password)
        result[username] = (role, password)
    return result
