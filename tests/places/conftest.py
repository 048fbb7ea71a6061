"""Places fixtures: imports commit (osm2pgsql and the swap own their transactions), so each
test uses its own source name and removes its rows afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text


@pytest.fixture
def osm_source(engine: Engine) -> Iterator[str]:
    """A source name unique to the test; its streets, places and import rows are removed."""
    source = f"test-{uuid.uuid4().hex[:8]}"
    yield source
    with engine.begin() as conn:
        for table in ("streets", "street_names", "places", "osm_imports"):
            conn.execute(text(f"DELETE FROM {table} WHERE source = :s"), {"s": source})  # noqa: S608


@pytest.fixture(scope="package")
def balikpapan(engine: Engine, shared_data) -> Iterator[dict]:  # noqa: ANN001
    """Real Balikpapan in the test database (committed once for the package, then removed)."""
    from tests.places.realdata import load_balikpapan, remove_balikpapan

    yield load_balikpapan(engine, shared_data)
    remove_balikpapan(engine)
