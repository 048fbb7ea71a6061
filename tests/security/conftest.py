"""Security test fixtures: a small Polda -> Polres -> Polsek tree and units inside it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

SQUARE = "MULTIPOLYGON((({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))"


def add_jurisdiction(session: Session, *, level: str, parent_id: int | None, x0: float) -> int:
    """A square jurisdiction (0.1 degree wide, starting at lon x0); its id."""
    wkt = SQUARE.format(x0=x0, y0=-1.3, x1=x0 + 0.1, y1=-1.2)
    return session.execute(
        text(
            "INSERT INTO jurisdictions (code, name, level, parent_id, geom) "
            "VALUES (:code, :name, :level, :parent, ST_GeomFromText(:wkt, 4326)) RETURNING id"
        ),
        {
            "code": f"T{uuid.uuid4().hex[:6]}",
            "name": f"Uji {level}",
            "level": level,
            "parent": parent_id,
            "wkt": wkt,
        },
    ).scalar_one()


def add_unit(session: Session, *, call_sign: str, home_jurisdiction_id: int) -> int:
    return session.execute(
        text(
            "INSERT INTO units (call_sign, kind, home_jurisdiction_id) "
            "VALUES (:cs, 'R4', :home) RETURNING id"
        ),
        {"cs": call_sign, "home": home_jurisdiction_id},
    ).scalar_one()


@dataclass(frozen=True)
class Tree:
    """Two Polda; the first has two Polres, the first Polres one Polsek; one unit each Polres."""

    polda: int
    polres: int
    polsek: int
    other_polres: int
    other_polda: int
    unit: int
    unit_call_sign: str
    other_unit: int
    other_unit_call_sign: str


@pytest.fixture
def tree(db_session: Session) -> Tree:
    polda = add_jurisdiction(db_session, level="polda", parent_id=None, x0=116.0)
    polres = add_jurisdiction(db_session, level="polres", parent_id=polda, x0=116.0)
    polsek = add_jurisdiction(db_session, level="polsek", parent_id=polres, x0=116.0)
    other_polres = add_jurisdiction(db_session, level="polres", parent_id=polda, x0=116.1)
    other_polda = add_jurisdiction(db_session, level="polda", parent_id=None, x0=117.0)
    suffix = uuid.uuid4().hex[:6]
    cs1, cs2 = f"SEC-A-{suffix}", f"SEC-B-{suffix}"
    unit = add_unit(db_session, call_sign=cs1, home_jurisdiction_id=polsek)
    other = add_unit(db_session, call_sign=cs2, home_jurisdiction_id=other_polres)
    db_session.flush()
    return Tree(polda, polres, polsek, other_polres, other_polda, unit, cs1, other, cs2)
