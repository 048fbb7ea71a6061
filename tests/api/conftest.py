"""A fuzzing world: its own database (migrated), seeded and committed: a Polda/Polres/Polsek
area, units with fixes, stored incidents and a ringing call made through the API, and one
user with a valid token for each role the fuzz tests act as.

Each fuzz scenario then runs inside one transaction rolled back at its end (`scenario`), so
every scenario starts from the same seeded world (schemathesis' generation stays repeatable)
while each request still gets its own session and savepoint: a refused request rolls back
on its own and cannot poison the next one, as with a session per request in production.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine
from core.embedded import drop_database, ensure_database
from core.migrate import upgrade
from core.settings import Settings
from tests.conftest import make_auth_headers
from tests.dispatch.factories import (
    INCIDENT_LAT,
    INCIDENT_LON,
    Area,
    incident_body,
    make_area,
    make_unit,
)
from tracking.models import Unit


@dataclass(frozen=True, eq=False)
class FuzzWorld:
    app: FastAPI
    engine: Engine
    headers: dict[str, dict[str, str]]  # role -> Authorization header
    incident_ids: list[int]
    unit_ids: list[int]
    # Path parameter -> ids of rows the world stored: stateless cases reach real rows with them.
    path_values: dict[str, list[int]]


@pytest.fixture(scope="session")
def fuzz_settings(settings: Settings) -> Iterator[Settings]:
    """Settings on a database of its own, dropped at the end of the run."""
    name = os.environ.get("SIAGA_TEST_DB", "siaga_test") + "_fuzz"
    drop_database(settings, name)
    ensure_database(settings, name)
    url = settings.database_dsn().rsplit("/", 1)[0] + "/" + name
    upgrade(settings, url=url)
    yield settings.model_copy(update={"database_url": url})
    drop_database(settings, name)


def _seed(session: Session, settings: Settings) -> tuple[dict[str, dict[str, str]], Area]:
    area = make_area(session)
    units = [
        make_unit(session, lon=INCIDENT_LON + 0.002 * n, lat=INCIDENT_LAT, home=area.polres)
        for n in range(3)
    ]
    crew_unit = units[0]
    headers = {
        "admin": make_auth_headers(settings, session, "admin"),
        "polres_operator": make_auth_headers(
            settings, session, "polres_operator", jurisdiction_id=area.polres.id
        ),
        "unit": make_auth_headers(settings, session, "unit", unit_id=crew_unit.id),
        "telephony": make_auth_headers(
            settings, session, "telephony", jurisdiction_id=area.polres.id
        ),
        "spkt": make_auth_headers(settings, session, "spkt", jurisdiction_id=area.polres.id),
        "perwira_piket": make_auth_headers(
            settings, session, "perwira_piket", jurisdiction_id=area.polda.id
        ),
        "planner": make_auth_headers(settings, session, "planner", jurisdiction_id=area.polda.id),
    }
    session.commit()
    return headers, area


@pytest.fixture(scope="session")
def fuzz_world(fuzz_settings: Settings) -> Iterator[FuzzWorld]:
    """The seeded world and the running app; incidents and a call made through the API."""
    from api.app import create_app

    engine = make_engine(fuzz_settings)
    with Session(engine, expire_on_commit=False) as session:
        headers, area = _seed(session, fuzz_settings)
        unit_ids = list(session.scalars(select(Unit.id).order_by(Unit.id)))
    # Access checks read users and grants per request: scenario data is never committed, so
    # the cache could not hear of it (its NOTIFYs are sent on commit).
    app = create_app(fuzz_settings.model_copy(update={"auth_cache_ttl_s": 0}))
    with TestClient(app) as client:
        incident_ids = []
        for n in range(3):
            body = incident_body(caller_phone=f"081211100{n:02d}", lon=INCIDENT_LON + 0.001 * n)
            created = client.post("/api/incidents", json=body, headers=headers["polres_operator"])
            assert created.status_code == 201, created.text
            incident_ids.append(created.json()["id"])
        rang = client.post(
            "/api/calls",
            json={"caller_phone": "081299990000", "line": "110-1"},
            headers=headers["telephony"],
        )
        assert rang.status_code == 201, rang.text
        path_values = {
            "unit_id": unit_ids,
            "incident_id": incident_ids,
            "jurisdiction_id": area.ids(),
            "call_id": [rang.json()["id"]],
        }
        yield FuzzWorld(app, engine, headers, incident_ids, unit_ids, path_values)
    engine.dispose()


# Sequences are not transactional: without a reset, a scenario replayed (hypothesis shrinking
# it) would get other ids than its first run, and the links it follows would draw other data.
_SEQUENCES = text(
    "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value),"
    " last_value IS NOT NULL FROM pg_sequences"
)
_RESET_SEQUENCES = text(
    "SELECT setval(CAST(name AS regclass), value, called)"
    " FROM unnest(CAST(:names AS text[]), CAST(:values AS bigint[]), CAST(:called AS boolean[]))"
    " AS s(name, value, called)"
)


@contextmanager
def scenario(world: FuzzWorld) -> Iterator[None]:
    """Requests made inside share one transaction, rolled back at the end; each its savepoint.

    Every scenario starts from the same seeded world, ids included (sequences are reset).
    """
    state = world.app.state
    saved = (state.session_factory, state.read_session_factory)
    connection = world.engine.connect()
    names, values, called = map(list, zip(*connection.execute(_SEQUENCES), strict=True))
    connection.rollback()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    state.session_factory = state.read_session_factory = factory
    try:
        yield
    finally:
        state.session_factory, state.read_session_factory = saved
        outer.rollback()
        with connection.begin():
            connection.execute(
                _RESET_SEQUENCES, {"names": names, "values": values, "called": called}
            )
        connection.close()
