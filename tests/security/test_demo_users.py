"""Demo users: one per role, the Reskrim desk with its function; re-running keeps passwords."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import verify_password
from api.demo import demo_users
from api.models import User
from tests.security.conftest import Tree


def test_demo_users_cover_every_desk_of_the_call_centre(db_session: Session, tree: Tree) -> None:
    first = demo_users(db_session, known={})
    expected = {"perwira.piket", "direktur", "spkt.polres", "reskrim.polres", "operator.polda"}
    assert expected <= set(first)
    desk = db_session.scalar(select(User).where(User.username == "reskrim.polres"))
    assert (desk.role, desk.function_code) == ("desk", "reskrim")
    again = demo_users(db_session, known=first)
    assert again == first
    assert verify_password(desk.password_hash, first["reskrim.polres"][1])
