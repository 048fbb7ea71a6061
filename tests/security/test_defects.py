"""Regression tests for server errors and integrity holes found by fuzzing and by hand."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
import typer
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.auth import create_user
from core.errors import Conflict
from dispatch.intake import create_incident, merge_incident
from dispatch.models import Incident
from dispatch.schemas import IncidentCreate
from tests.conftest import _test_password_hash
from tests.dispatch.factories import incident_body, make_area, purge
from tests.security.conftest import Tree
from tracking.service import create_unit


@pytest.fixture
def area(db_session: Session):  # noqa: ANN201
    return make_area(db_session)


def test_duplicates_of_a_stored_incident_answer(api_client, area) -> None:  # noqa: ANN001
    first = api_client.post("/api/incidents", json=incident_body()).json()
    second = api_client.post("/api/incidents", json=incident_body(caller_phone="0811110001"))
    assert second.status_code == 201, second.text
    response = api_client.get(f"/api/incidents/{first['id']}/duplicates")
    assert response.status_code == 200, response.text
    assert second.json()["id"] in {row["incident_id"] for row in response.json()}


def test_crew_null_is_refused_and_units_still_list(api_client, tree: Tree) -> None:  # noqa: ANN001
    response = api_client.patch(f"/api/units/{tree.unit}", json={"crew": None})
    assert response.status_code == 422 and response.json()["field"].endswith("crew")
    for field in ("kind",):
        refused = api_client.patch(f"/api/units/{tree.unit}", json={field: None})
        assert refused.status_code == 422, (field, refused.text)
    assert api_client.get("/api/units").status_code == 200


def test_database_refuses_a_crew_that_is_not_a_list(db_session: Session, tree: Tree) -> None:
    for value in ("null", '{"nama": "x"}', '"x"'):
        with pytest.raises(IntegrityError, match="crew"), db_session.begin_nested():
            db_session.execute(
                text("UPDATE units SET crew = CAST(:v AS jsonb) WHERE id = :id"),
                {"v": value, "id": tree.unit},
            )


def _me(client) -> str:  # noqa: ANN001
    return client.get("/api/auth/me").json()["username"]


def test_the_last_admin_cannot_be_disabled(api_client, db_session: Session) -> None:  # noqa: ANN001
    me = _me(api_client)
    db_session.execute(
        text("UPDATE users SET disabled_at = now() WHERE role = 'admin' AND username <> :me"),
        {"me": me},
    )
    refused = api_client.post(f"/api/auth/users/{me}/disable")
    assert refused.status_code == 409, refused.text
    assert "admin" in refused.json()["message"]
    assert api_client.get("/api/auth/me").status_code == 200
    create_user(
        db_session, username="sec-admin-2", password_hash=_test_password_hash(), role="admin"
    )
    db_session.flush()
    assert api_client.post(f"/api/auth/users/{me}/disable").status_code == 200


@pytest.fixture
def users_cli(settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:  # noqa: ANN001
    from api.cli import register

    monkeypatch.setenv("SIAGA_DATABASE_URL", settings.database_dsn())
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, ["users", *args])
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE username LIKE 'cli-enable-%'"))


def test_users_enable_gives_a_disabled_user_back_their_login(users_cli, engine) -> None:  # noqa: ANN001
    name = f"cli-enable-{uuid.uuid4().hex[:6]}"
    added = users_cli("add", name, "--role", "planner", "--password", "rencana-uji-110")
    assert added.exit_code == 0, added.output
    assert users_cli("disable", name).exit_code == 0
    enabled = users_cli("enable", name)
    assert enabled.exit_code == 0, enabled.output
    with engine.connect() as connection:
        disabled_at = connection.execute(
            text("SELECT disabled_at FROM users WHERE username = :n"), {"n": name}
        ).scalar_one()
    assert disabled_at is None
    assert users_cli("enable", "cli-enable-nobody").exit_code == 1


def _race(engine: Engine, create: Callable[[Session], object]) -> BaseException | None:
    """Session A creates and holds its row; B does the same in a thread, then A commits.

    B waits on the unique index and must end in Conflict (409), not an IntegrityError (500).
    """
    outcome: dict[str, BaseException | None] = {}
    with Session(engine) as first:
        create(first)

        def second() -> None:
            with Session(engine) as other:
                try:
                    create(other)
                    other.commit()
                    outcome["error"] = None
                except BaseException as exc:  # noqa: BLE001 - the test inspects it
                    outcome["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)  # B is now blocked on A's uncommitted row
        first.commit()
        thread.join(10)
    return outcome.get("error")


def test_concurrent_units_with_one_call_sign_get_409(engine: Engine) -> None:
    call_sign = f"RACE-{uuid.uuid4().hex[:6]}"
    try:
        error = _race(engine, lambda s: create_unit(s, call_sign=call_sign, kind="R2"))
        assert isinstance(error, Conflict), repr(error)
        assert error.field == "call_sign"
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM units WHERE call_sign = :c"), {"c": call_sign})


def test_concurrent_users_with_one_name_get_409(engine: Engine) -> None:
    name = f"race-{uuid.uuid4().hex[:6]}"
    try:
        error = _race(
            engine,
            lambda s: create_user(
                s, username=name, password_hash=_test_password_hash(), role="planner"
            ),
        )
        assert isinstance(error, Conflict), repr(error)
        assert error.field == "username"
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM users WHERE username = :n"), {"n": name})


def test_two_incidents_cannot_become_duplicates_of_each_other(engine: Engine) -> None:
    with Session(engine) as session:
        jurisdictions = make_area(session).ids()
        ids = [
            create_incident(session, data=IncidentCreate(**incident_body()), actor="uji").id
            for _ in range(2)
        ]
        session.commit()
    a, b = ids
    errors: dict[str, BaseException | None] = {}
    try:
        with Session(engine) as first:
            merge_incident(first, incident_id=a, into_id=b, actor="uji")

            def second() -> None:
                with Session(engine) as other:
                    try:
                        merge_incident(other, incident_id=b, into_id=a, actor="uji")
                        other.commit()
                        errors["b"] = None
                    except BaseException as exc:  # noqa: BLE001
                        errors["b"] = exc

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(0.5)
            first.commit()
            thread.join(10)
        assert isinstance(errors.get("b"), Conflict), repr(errors.get("b"))
        with Session(engine) as session:
            rows = session.scalars(select(Incident).where(Incident.id.in_(ids))).all()
            assert sorted((r.id, r.duplicate_of_id) for r in rows) == [(a, b), (b, None)]
    finally:
        with Session(engine) as session:
            purge(session, incident_ids=ids, jurisdiction_ids=jurisdictions[::-1])


def test_merge_refuses_a_cycle_through_a_chain(api_client, area) -> None:  # noqa: ANN001
    ids = [api_client.post("/api/incidents", json=incident_body()).json()["id"] for _ in range(2)]
    assert api_client.post(f"/api/incidents/{ids[0]}/merge", json={"into_id": ids[1]}).is_success
    back = api_client.post(f"/api/incidents/{ids[1]}/merge", json={"into_id": ids[0]})
    assert back.status_code == 409 and back.json()["field"] == "into_id"


def test_admin_enables_a_user_over_the_api(api_client, db_session: Session) -> None:  # noqa: ANN001
    create_user(
        db_session, username="sec-reenable", password_hash=_test_password_hash(), role="planner"
    )
    db_session.flush()
    assert api_client.post("/api/auth/users/sec-reenable/disable").json()["disabled"] is True
    enabled = api_client.post("/api/auth/users/sec-reenable/enable")
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False
    assert api_client.post("/api/auth/users/sec-nobody-x/enable").status_code == 404
