"""Sessions for a 12-hour shift: rotating refresh tokens bound to the device, revocable;
a read-only wall credential; disabling a user or moving them ends their sessions."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth import create_user
from tests.conftest import _TEST_PASSWORD, _test_password_hash

DEVICE = "konsol-polda-01-abcdef"


def _login(client, username: str, device_id: str = DEVICE):  # noqa: ANN001, ANN202
    response = client.post(
        "/api/auth/token",
        data={"username": username, "password": _TEST_PASSWORD, "device_id": device_id},
        headers={"Authorization": ""},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _refresh(client, token: str, device_id: str = DEVICE):  # noqa: ANN001, ANN202
    return client.post(
        "/api/auth/refresh",
        json={"refresh_token": token, "device_id": device_id},
        headers={"Authorization": ""},
    )


def _me(client, access: str) -> int:  # noqa: ANN001
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {access}"}).status_code


def _user(db_session: Session, name: str, role: str = "admin", **kw) -> str:  # noqa: ANN003
    create_user(db_session, username=name, password_hash=_test_password_hash(), role=role, **kw)
    db_session.flush()
    return name


def test_refresh_rotates_and_a_replayed_token_ends_the_session(api_client, db_session) -> None:  # noqa: ANN001
    login = _login(api_client, _user(db_session, "sec-shift"))
    assert login["refresh_token"] and login["refresh_expires_in"] >= 12 * 3600
    first = _refresh(api_client, login["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != login["refresh_token"]
    assert _me(api_client, rotated["access_token"]) == 200
    # The old refresh token again (stolen and replayed): the whole session ends.
    assert _refresh(api_client, login["refresh_token"]).status_code == 401
    assert _refresh(api_client, rotated["refresh_token"]).status_code == 401
    assert _me(api_client, rotated["access_token"]) == 401


def test_refresh_is_bound_to_the_device(api_client, db_session) -> None:  # noqa: ANN001
    login = _login(api_client, _user(db_session, "sec-device"))
    assert _refresh(api_client, login["refresh_token"], "perangkat-lain-123").status_code == 401


def test_logout_revokes_the_session(api_client, db_session) -> None:  # noqa: ANN001
    login = _login(api_client, _user(db_session, "sec-logout"))
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    assert api_client.post("/api/auth/logout", headers=headers).status_code == 204
    assert _me(api_client, login["access_token"]) == 401
    assert _refresh(api_client, login["refresh_token"]).status_code == 401


def test_disabling_or_moving_a_user_ends_their_sessions(api_client, db_session, tree) -> None:  # noqa: ANN001
    _user(db_session, "sec-gone", "polres_operator", jurisdiction_id=tree.polres)
    _user(db_session, "sec-moved", "polres_operator", jurisdiction_id=tree.polres)
    gone, moved = _login(api_client, "sec-gone"), _login(api_client, "sec-moved")
    assert api_client.post("/api/auth/users/sec-gone/disable").status_code == 200
    db_session.execute(
        text("UPDATE users SET jurisdiction_id = :j WHERE username = 'sec-moved'"),
        {"j": tree.other_polres},
    )
    for login in (gone, moved):
        assert _refresh(api_client, login["refresh_token"]).status_code == 401
        assert _me(api_client, login["access_token"]) == 401


def test_wall_credential_stays_logged_in_read_only(api_client, user_client, tree) -> None:  # noqa: ANN001
    commander = user_client("commander", jurisdiction_id=tree.polda)
    issued = commander.post(
        "/api/auth/wall", json={"device_id": "dinding-polda-01", "name": "Dinding"}
    )
    assert issued.status_code == 201, issued.text
    wall = issued.json()
    assert wall["refresh_expires_in"] >= 7 * 86400
    tokens = _refresh(api_client, wall["refresh_token"], "dinding-polda-01").json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert api_client.get("/api/incidents", headers=headers).status_code == 200
    written = api_client.post("/api/auth/logout", headers=headers)
    assert written.status_code == 403  # read-only: not even its own logout; an admin revokes
