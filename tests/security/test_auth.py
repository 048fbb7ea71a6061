"""Login, tokens, rate limiting, disabled users, scope per role and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.auth import create_user, disable_user, signing_key, verify_password
from api.models import LoginAttempt, SecurityAudit, User
from tests.conftest import _TEST_PASSWORD, _test_password_hash
from tests.security.conftest import Tree


def _add_user(session: Session, username: str, role: str = "admin", **kwargs: object) -> User:
    return create_user(
        session, username=username, password_hash=_test_password_hash(), role=role, **kwargs
    )


def _login(client, username: str, password: str = _TEST_PASSWORD):  # noqa: ANN001, ANN202
    return client.post(
        "/api/auth/token",
        data={"username": username, "password": password, "grant_type": "password"},
        headers={"Authorization": ""},
    )


def test_password_is_stored_as_argon2id(db_session: Session) -> None:
    user = create_user(db_session, username="sec-hash", password="rahasia-sekali-110", role="admin")
    assert user.password_hash.startswith("$argon2id$")
    assert "rahasia" not in user.password_hash
    assert verify_password(user.password_hash, "rahasia-sekali-110")
    assert not verify_password(user.password_hash, "rahasia-sekali-111")


def test_login_issues_a_short_lived_token_that_opens_the_api(api_client, db_session, settings):  # noqa: ANN001
    _add_user(db_session, "sec-login")
    response = _login(api_client, "SEC-Login")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["role"] == "admin"
    claims = jwt.decode(body["access_token"], signing_key(settings), algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == settings.auth_token_ttl_s <= 3600
    me = api_client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "sec-login"


def test_wrong_password_and_unknown_user_get_the_same_401(api_client, db_session) -> None:  # noqa: ANN001
    _add_user(db_session, "sec-wrong")
    wrong = _login(api_client, "sec-wrong", "bukan-kata-sandinya")
    unknown = _login(api_client, "sec-nobody", "bukan-kata-sandinya")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["message"] == unknown.json()["message"]
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_failed_logins_are_rate_limited_and_audited(api_client, db_session, settings) -> None:  # noqa: ANN001
    _add_user(db_session, "sec-brute")
    for _ in range(settings.auth_max_failed_logins):
        assert _login(api_client, "sec-brute", "tebak-tebakan-123").status_code == 401
    limited = _login(api_client, "sec-brute")  # even the right password is refused now
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    reasons = db_session.scalars(
        select(SecurityAudit.reason).where(SecurityAudit.username == "sec-brute")
    ).all()
    assert reasons.count("bad_credentials") == settings.auth_max_failed_logins
    assert "rate_limited_username" in reasons
    attempts = db_session.scalars(
        select(LoginAttempt.succeeded).where(LoginAttempt.username == "sec-brute")
    ).all()
    assert attempts == [False] * settings.auth_max_failed_logins


def test_disabled_user_cannot_log_in_and_its_token_stops_working(api_client, db_session) -> None:  # noqa: ANN001
    _add_user(db_session, "sec-off")
    token = _login(api_client, "sec-off").json()["access_token"]
    disable_user(db_session, username="sec-off")
    db_session.flush()
    headers = {"Authorization": f"Bearer {token}"}
    assert api_client.get("/api/auth/me", headers=headers).status_code == 401
    assert _login(api_client, "sec-off").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer ",
        "Bearer not-a-jwt",
        "Basic YWRtaW46YWRtaW4=",
    ],
)
def test_missing_or_malformed_token_is_401(api_client, header) -> None:  # noqa: ANN001
    response = api_client.get("/api/auth/me", headers={"Authorization": header or ""})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_expired_forged_and_unsigned_tokens_are_401(api_client, db_session, settings) -> None:  # noqa: ANN001
    user = _add_user(db_session, "sec-forge")
    now = datetime.now(UTC)
    base = {"sub": str(user.id), "role": "admin", "iat": now, "pwd": 0}
    expired = jwt.encode({**base, "exp": now - timedelta(seconds=1)}, signing_key(settings))
    forged = jwt.encode({**base, "exp": now + timedelta(minutes=5)}, "not-the-key-" * 4)
    unsigned = jwt.encode({**base, "exp": now + timedelta(minutes=5)}, None, algorithm="none")
    for token in (expired, forged, unsigned):
        response = api_client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_query_token_is_refused_outside_event_streams(api_client, db_session) -> None:  # noqa: ANN001
    _add_user(db_session, "sec-query")
    token = _login(api_client, "sec-query").json()["access_token"]
    response = api_client.get(f"/api/auth/me?access_token={token}", headers={"Authorization": ""})
    assert response.status_code == 401


def test_scope_follows_role_and_jurisdiction(user_client, tree: Tree) -> None:  # noqa: ANN001
    cases = [
        ("admin", {}, None),
        ("polda_operator", {"jurisdiction_id": tree.polda},
         {tree.polda, tree.polres, tree.polsek, tree.other_polres}),
        ("commander", {"jurisdiction_id": tree.polda},
         {tree.polda, tree.polres, tree.polsek, tree.other_polres}),
        ("polres_operator", {"jurisdiction_id": tree.polres}, {tree.polres, tree.polsek}),
        ("polsek_operator", {"jurisdiction_id": tree.polsek}, {tree.polsek}),
        ("planner", {"jurisdiction_id": tree.other_polda}, {tree.other_polda}),
        ("unit", {"unit_id": tree.unit}, {tree.polsek}),
    ]  # fmt: skip
    for role, kwargs, expected in cases:
        me = user_client(role, **kwargs).get("/api/auth/me")
        assert me.status_code == 200, (role, me.text)
        ids = me.json()["jurisdiction_ids"]
        assert (set(ids) if ids is not None else None) == expected, role


def test_operator_roles_must_sit_at_their_level(db_session, tree: Tree) -> None:  # noqa: ANN001
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as info:
        _add_user(db_session, "sec-level", "polres_operator", jurisdiction_id=tree.polda)
    assert info.value.field == "jurisdiction_id"
    with pytest.raises(InvalidInput):
        _add_user(db_session, "sec-nojur", "polsek_operator")


def test_admin_manages_users_through_the_api_and_changes_are_audited(api_client, tree) -> None:  # noqa: ANN001
    body = {
        "username": "sec-new-op",
        "password": "operator-baru-110",
        "role": "polres_operator",
        "jurisdiction_id": tree.polres,
    }
    created = api_client.post("/api/auth/users", json=body)
    assert created.status_code == 201, created.text
    assert "password" not in created.text
    assert _login(api_client, "sec-new-op", "operator-baru-110").status_code == 200
    assert api_client.post("/api/auth/users", json=body).status_code == 409
    assert api_client.post("/api/auth/users/sec-new-op/disable").status_code == 200
    assert _login(api_client, "sec-new-op", "operator-baru-110").status_code == 401
    actions = [row["action"] for row in api_client.get("/api/auth/audit").json()]
    assert "user_created" in actions and "user_disabled" in actions


def test_denials_are_audited_and_the_audit_log_is_append_only(api_client, db_session) -> None:  # noqa: ANN001
    # The log is append-only and other tests commit to it: look only past what is there now.
    before = db_session.scalar(select(func.coalesce(func.max(SecurityAudit.id), 0)))
    api_client.get("/api/auth/me", headers={"Authorization": "Bearer nope"})
    row = db_session.scalars(
        select(SecurityAudit).where(SecurityAudit.reason == "bad_token", SecurityAudit.id > before)
    ).first()
    assert row is not None and row.decision == "deny" and row.path == "/api/auth/me"
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(text("DELETE FROM security_audit"))


def test_one_client_guessing_many_user_names_is_rate_limited(api_client, settings) -> None:  # noqa: ANN001
    # A lower limit keeps the test short (each failed login costs an argon2 verification).
    api_client.app.state.settings = settings.model_copy(update={"auth_max_failed_logins": 2})
    limit = 4 * 2
    for index in range(limit):
        assert _login(api_client, f"sec-spray-{index}", "tebak-tebakan-123").status_code == 401
    assert _login(api_client, "sec-spray-next", "tebak-tebakan-123").status_code == 429


def test_a_new_password_ends_older_tokens(api_client, db_session) -> None:  # noqa: ANN001
    from api.auth import set_password

    _add_user(db_session, "sec-passwd")
    old = _login(api_client, "sec-passwd").json()["access_token"]
    set_password(db_session, username="sec-passwd", password="kata-sandi-baru-110")
    db_session.flush()
    assert (
        api_client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code
        == 401
    )
    new = _login(api_client, "sec-passwd", "kata-sandi-baru-110").json()["access_token"]
    assert (
        api_client.get("/api/auth/me", headers={"Authorization": f"Bearer {new}"}).status_code
        == 200
    )
