"""The real national boundary sets, imported once for this package (committed, then removed).

Package scope rather than session scope: the rows are deleted when the last jurisdictions
test has run, so other packages' tests in the same database never see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core.db import make_session_factory, session_scope
from jurisdictions.importer import ImportOptions, import_file
from jurisdictions.store import ImportReport

TARGETS = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "response_targets.csv"


@pytest.fixture(scope="package")
def national(engine: Engine, shared_data: Path) -> Iterator[dict[str, ImportReport]]:
    """kabkota then kecamatan (with the targets CSV) in the test database, committed."""
    boundaries = shared_data / "boundaries"
    factory = make_session_factory(engine)
    with engine.connect() as connection:
        first_id = connection.execute(
            text("SELECT coalesce(max(id), 0) FROM jurisdictions")
        ).scalar()
    reports = {}
    with session_scope(factory) as session:
        reports["kabkota"] = import_file(session, path=boundaries / "kabkota.geojson")
    with session_scope(factory) as session:
        reports["kecamatan"] = import_file(
            session, path=boundaries / "kecamatan.geojson", options=ImportOptions(targets=TARGETS)
        )
    yield reports
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM jurisdictions WHERE id > :first"), {"first": first_id})


@pytest.fixture
def clean_session(db_session: Session) -> Session:
    """A rolled-back session in which no jurisdiction exists yet (whatever others committed)."""
    db_session.execute(text("DELETE FROM jurisdictions"))
    return db_session
