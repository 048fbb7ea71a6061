"""Failed-login limits by user name and client address together: wrong passwords from
elsewhere cannot lock an operator out at their own desk; brute force is still stopped and
alerted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import AuthenticationFailed, LoginRateLimited, create_user, login
from api.models import SecurityAudit
from tests.conftest import _TEST_PASSWORD, _test_password_hash

DESK = "10.110.0.7"


@pytest.fixture
def operator(db_session: Session) -> str:
    create_user(
        db_session, username="sec-desk-op", password_hash=_test_password_hash(), role="admin"
    )
    db_session.flush()
    return "sec-desk-op"


def _fail(session: Session, settings, username: str, client_ip: str) -> None:  # noqa: ANN001
    with pytest.raises(AuthenticationFailed):
        login(session, settings, username=username, password="salah-tebak-110", client_ip=client_ip)


def test_wrong_passwords_from_elsewhere_do_not_lock_the_desk_out(
    db_session: Session, settings, operator: str
) -> None:  # noqa: ANN001
    for _ in range(settings.auth_max_failed_logins):
        _fail(db_session, settings, operator, "203.0.113.9")
    with pytest.raises(LoginRateLimited):  # the guessing address is stopped ...
        login(
            db_session,
            settings,
            username=operator,
            password=_TEST_PASSWORD,
            client_ip="203.0.113.9",
        )
    # ... while the operator at their own desk logs in.
    issued = login(db_session, settings, username=operator, password=_TEST_PASSWORD, client_ip=DESK)
    assert issued.user.username == operator


def test_guessing_from_many_addresses_is_stopped_and_alerted_but_known_desks_get_in(
    db_session: Session, settings, operator: str
) -> None:  # noqa: ANN001
    settings = settings.model_copy(update={"auth_max_failed_logins": 2})
    login(db_session, settings, username=operator, password=_TEST_PASSWORD, client_ip=DESK)
    wide = settings.auth_max_failed_logins * 10
    for index in range(wide):
        _fail(db_session, settings, operator, f"198.51.100.{index}")
    with pytest.raises(LoginRateLimited):  # a new address, even with the right password
        login(
            db_session, settings, username=operator, password=_TEST_PASSWORD, client_ip="192.0.2.1"
        )
    alerts = db_session.scalars(
        select(SecurityAudit.reason).where(
            SecurityAudit.username == operator, SecurityAudit.action == "login_alert"
        )
    ).all()
    assert "brute_force_username" in alerts
    # The desk that logged in before still gets in.
    assert login(db_session, settings, username=operator, password=_TEST_PASSWORD, client_ip=DESK)
