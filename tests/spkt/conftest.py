"""SPKT fixtures: a named Polda -> Polres -> Polsek tree (rolled back with the test)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.spkt.factories import Tree, make_tree


@pytest.fixture
def tree(db_session: Session) -> Tree:
    return make_tree(db_session)
