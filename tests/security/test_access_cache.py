"""The access cache: reused only while safe, emptied by the database's NOTIFY on commit.

These tests commit (a NOTIFY is only sent on commit) and remove what they committed; the
cache TTL is long, so only the notice can explain a prompt change.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.access_cache import AccessCache
from api.auth import create_user, disable_user, issue_token
from api.deps import Scope
from core.settings import Settings
from tests.conftest import wait_until
from tests.security.conftest import add_jurisdiction, add_unit

LONG_TTL_S = 120.0


@dataclass
class Committed:
    polda: int
    polres: int
    unit: int
    operator: str
    crew: str
    operator_name: str


@pytest.fixture
def committed(engine: Engine, settings: Settings) -> Iterator[Committed]:
    """A Polda with one Polres and a unit, a Polda operator and a crew user, all committed."""
    suffix = uuid.uuid4().hex[:6]
    with Session(engine, expire_on_commit=False) as session:
        polda = add_jurisdiction(session, level="polda", parent_id=None, x0=140.0)
        polres = add_jurisdiction(session, level="polres", parent_id=polda, x0=140.0)
        unit = add_unit(session, call_sign=f"AC-{suffix}", home_jurisdiction_id=polres)
        operator = create_user(
            session, username=f"ac.op.{suffix}", password="rahasia-uji-123",
            role="polda_operator", jurisdiction_id=polda,
        )  # fmt: skip
        crew = create_user(
            session, username=f"ac.crew.{suffix}", password="rahasia-uji-123",
            role="unit", unit_id=unit,
        )  # fmt: skip
        session.commit()
        data = Committed(
            polda, polres, unit, issue_token(settings, operator).access_token,
            issue_token(settings, crew).access_token, operator.username,
        )  # fmt: skip
    try:
        yield data
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM users WHERE username LIKE :p"), {"p": f"%{suffix}"}
            )
            connection.execute(text("DELETE FROM units WHERE id = :u"), {"u": unit})
            connection.execute(
                text("DELETE FROM jurisdictions WHERE id IN (SELECT id FROM jurisdictions "
                     "WHERE id = :p OR parent_id = :p OR parent_id IN "
                     "(SELECT id FROM jurisdictions WHERE parent_id = :p)) AND level <> 'polda'"),
                {"p": polda},
            )  # fmt: skip
            connection.execute(text("DELETE FROM jurisdictions WHERE id = :p"), {"p": polda})


@pytest.fixture
def live_app(settings: Settings) -> Iterator[TestClient]:
    """The real app on real sessions, caching for LONG_TTL_S, its listener connected."""
    from api.app import create_app

    app = create_app(settings.model_copy(update={"auth_cache_ttl_s": LONG_TTL_S}))
    with TestClient(app) as client:
        wait_until(lambda: app.state.access_cache.serving, message="access listener")
        yield client


def _get(client: TestClient, token: str, path: str) -> object:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def _ids(response: object) -> set[int]:
    return {row["id"] for row in response.json()}  # type: ignore[attr-defined]


def test_a_repeated_get_is_answered_from_the_cache(live_app, committed) -> None:  # noqa: ANN001
    cache: AccessCache = live_app.app.state.access_cache
    first = _get(live_app, committed.operator, "/api/jurisdictions")
    hits = cache.hits
    second = _get(live_app, committed.operator, "/api/jurisdictions")
    assert first.status_code == second.status_code == 200
    assert cache.hits == hits + 1
    assert _ids(second) == _ids(first) >= {committed.polda, committed.polres}


def test_disabling_a_user_ends_cached_access_at_once(live_app, committed, engine) -> None:  # noqa: ANN001
    assert _get(live_app, committed.operator, "/api/jurisdictions").status_code == 200
    with Session(engine) as session:
        disable_user(session, username=committed.operator_name)
        session.commit()
    started = time.monotonic()
    wait_until(
        lambda: _get(live_app, committed.operator, "/api/jurisdictions").status_code == 401,
        timeout_s=5,
        message="a disabled user's cached token to be refused",
    )
    assert time.monotonic() - started < LONG_TTL_S / 10  # the notice, not the TTL


def test_a_new_jurisdiction_widens_a_cached_scope_at_once(live_app, committed, engine) -> None:  # noqa: ANN001
    assert committed.polres in _ids(_get(live_app, committed.operator, "/api/jurisdictions"))
    with Session(engine) as session:
        polsek = add_jurisdiction(session, level="polsek", parent_id=committed.polres, x0=140.0)
        session.commit()
    wait_until(
        lambda: polsek in _ids(_get(live_app, committed.operator, "/api/jurisdictions")),
        timeout_s=5,
        message="the new Polsek in the operator's scope",
    )


def test_crews_and_writes_always_take_the_full_check(live_app, committed) -> None:  # noqa: ANN001
    cache: AccessCache = live_app.app.state.access_cache
    path = f"/api/units/{committed.unit}"
    assert _get(live_app, committed.crew, path).status_code == 200
    hits = cache.hits
    assert _get(live_app, committed.crew, path).status_code == 200
    assert cache.hits == hits  # a crew's scope follows its open assignments
    assert cache.get(committed.crew) is None


def test_the_cache_serves_nothing_while_its_listener_is_down() -> None:
    cache = AccessCache(ttl_s=LONG_TTL_S)
    scope = Scope(jurisdiction_ids=frozenset({1}), user_id=1, role="commander")
    far = time.time() + 3600
    cache.put("t", role="commander", scope=scope, token_expires_s=far, generation=0)
    assert cache.get("t") is None  # never live: nothing was kept
    cache.set_live(True)
    cache.put("t", role="commander", scope=scope, token_expires_s=far, generation=0)
    assert cache.get("t") is None  # generation 0 was read before the listener came up
    cache.put(
        "t", role="commander", scope=scope, token_expires_s=far, generation=cache.generation()
    )
    assert cache.get("t").scope == scope
    cache.set_live(False)
    assert cache.get("t") is None


def test_an_answer_checked_before_an_invalidation_is_not_kept() -> None:
    cache = AccessCache(ttl_s=LONG_TTL_S)
    cache.set_live(True)
    scope = Scope(jurisdiction_ids=None, user_id=1, role="admin")
    read_at = cache.generation()
    cache.invalidate()  # a NOTIFY arrived while the full check was reading the user row
    cache.put("t", role="admin", scope=scope, token_expires_s=time.time() + 60, generation=read_at)
    assert cache.get("t") is None


def test_no_entry_outlives_its_token_and_memory_is_bounded() -> None:
    cache = AccessCache(ttl_s=LONG_TTL_S, max_entries=2)
    cache.set_live(True)
    scope = Scope(jurisdiction_ids=None, user_id=1, role="admin")
    now = time.time()
    cache.put("old", role="admin", scope=scope, token_expires_s=now - 1, generation=1)
    assert cache.get("old") is None  # an expired token is never kept
    for token in ("a", "b", "c"):
        cache.put(token, role="admin", scope=scope, token_expires_s=now + 60, generation=1)
    assert cache.get("a") is None and cache.get("c") is not None
