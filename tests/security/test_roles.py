"""Roles of the call centre's own work: desk users carry a known function; others none."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from tests.security.conftest import Tree
from tests.security.test_auth import _add_user


def test_desk_user_needs_a_known_function(db_session: Session, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as missing:
        _add_user(db_session, "desk-none", "desk", jurisdiction_id=tree.polres)
    assert missing.value.field == "function_code"
    with pytest.raises(InvalidInput) as unknown:
        _add_user(
            db_session, "desk-bad", "desk", jurisdiction_id=tree.polres, function_code="sihir"
        )
    assert "reskrim" in unknown.value.message
    user = _add_user(
        db_session, "desk-reskrim", "desk", jurisdiction_id=tree.polres, function_code="reskrim"
    )
    assert user.function_code == "reskrim"


@pytest.mark.parametrize(
    ("role", "level"),
    [("perwira_piket", "polres"), ("direktur", "polda"), ("spkt", "polsek"), ("spkt", "polres")],
)
def test_only_desk_users_have_a_function(
    db_session: Session, tree: Tree, role: str, level: str
) -> None:
    where = getattr(tree, level)
    with pytest.raises(InvalidInput) as info:
        _add_user(db_session, f"fn-{role}", role, jurisdiction_id=where, function_code="lantas")
    assert info.value.field == "function_code"
    assert _add_user(db_session, f"ok-{role}", role, jurisdiction_id=where).role == role


def test_new_roles_sit_at_their_levels(db_session: Session, tree: Tree) -> None:
    for role, wrong in (("direktur", tree.polres), ("spkt", tree.polda)):
        with pytest.raises(InvalidInput) as info:
            _add_user(db_session, f"lvl-{role}", role, jurisdiction_id=wrong)
        assert info.value.field == "jurisdiction_id"


def test_database_refuses_a_desk_without_function(db_session: Session, tree: Tree) -> None:
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(
            text(
                "INSERT INTO users (username, password_hash, role, jurisdiction_id) "
                "VALUES ('raw-desk', 'x', 'desk', :j)"
            ),
            {"j": tree.polres},
        )
