"""Users, password hashing (argon2id), access tokens (JWT) and rate-limited login.

Plain functions over a session; they never commit (routes and CLI commands do). No FastAPI
here, so the CLI shares them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.audit import clean_text, record_audit
from api.models import NATIONAL_ROLES, ROLES, AuthSession, LoginAttempt, User
from core.db import unique_or
from core.embedded import read_or_create_secret
from core.errors import Conflict, InvalidInput, NotFound, SiagaError
from core.settings import Settings

log = logging.getLogger("siaga.api.auth")

# argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, 64 MiB, p=4).
_hasher = PasswordHasher()
# Verified against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_ALGORITHM = "HS256"
USERNAME_RE = re.compile(r"^[a-z0-9_.-]{3,64}$")
MIN_PASSWORD_LEN = 10
MAX_PASSWORD_LEN = 256
# A role sits at these levels of the hierarchy (roles not listed: any level).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    "polda_operator": ("polda",),
    "polres_operator": ("polres",),
    "polsek_operator": ("polsek",),
    # a command centre (Polda or Polres call centre) has its Perwira Piket; the Direktur is Polda's
    "perwira_piket": ("polda", "polres"),
    "direktur": ("polda",),
    "spkt": ("polres", "polsek"),
}


class AuthenticationFailed(SiagaError):
    """Wrong user name or password, a disabled user, or a bad or expired token."""


class LoginRateLimited(SiagaError):
    """Too many failed logins for this user name or client address."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    user: User
    auth_session: AuthSession | None = None
    refresh_token: str | None = None


# pg_advisory_xact_lock key of bootstrap_admin ("siaga110" in ASCII).
BOOTSTRAP_LOCK = 0x7369616761313130


def hash_password(password: str) -> str:
    """argon2id hash of a password (checks its length first)."""
    if not MIN_PASSWORD_LEN <= len(password) <= MAX_PASSWORD_LEN:
        raise InvalidInput(
            f"kata sandi harus {MIN_PASSWORD_LEN}-{MAX_PASSWORD_LEN} karakter", field="password"
        )
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def signing_key(settings: Settings) -> str:
    """SIAGA_AUTH_SECRET, or a secret generated once under state_dir/api (mode 0600)."""
    if settings.auth_secret:
        return settings.auth_secret
    return read_or_create_secret(settings.state_dir / "api" / "token_secret")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    session: Session,
    *,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    role: str,
    jurisdiction_id: int | None = None,
    unit_id: int | None = None,
    full_name: str = "",
    function_code: str | None = None,
) -> User:
    """Add a user; a unit user takes the unit's home jurisdiction, a desk user its function."""
    username = normalize_username(username)
    if not USERNAME_RE.match(username):
        raise InvalidInput("nama pengguna: 3-64 huruf kecil, angka, _ . -", field="username")
    if role not in ROLES:
        raise InvalidInput(f"peran tidak dikenal: {role}", field="role")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"pengguna {username} sudah ada", field="username")
    if role == "unit":
        jurisdiction_id = _unit_home(session, unit_id)
    elif unit_id is not None:
        raise InvalidInput("hanya peran 'unit' yang terikat pada unit", field="unit_id")
    _check_function(role, function_code)
    _check_jurisdiction(session, role, jurisdiction_id)
    user = User(
        username=username,
        full_name=full_name,
        password_hash=password_hash or hash_password(password or ""),
        role=role,
        jurisdiction_id=jurisdiction_id,
        unit_id=unit_id,
        function_code=function_code,
    )
    with unique_or(Conflict(f"pengguna {username} sudah ada", field="username"), session):
        session.add(user)
    return user


def _check_function(role: str, function_code: str | None) -> None:
    from piket.functions import FUNCTIONS

    if role != "desk":
        if function_code is not None:
            raise InvalidInput("hanya peran 'desk' yang memiliki fungsi", field="function_code")
        return
    if function_code not in FUNCTIONS:
        known = ", ".join(FUNCTIONS)
        raise InvalidInput(f"fungsi harus salah satu dari: {known}", field="function_code")


def _unit_home(session: Session, unit_id: int | None) -> int | None:
    from tracking.models import Unit

    if unit_id is None:
        raise InvalidInput("peran 'unit' memerlukan unit", field="unit_id")
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} tidak ada", field="unit_id")
    return unit.home_jurisdiction_id


def _check_jurisdiction(session: Session, role: str, jurisdiction_id: int | None) -> None:
    from jurisdictions.models import Jurisdiction

    if jurisdiction_id is None:
        if role not in NATIONAL_ROLES:
            raise InvalidInput(f"peran {role} memerlukan wilayah", field="jurisdiction_id")
        return
    level = session.scalar(select(Jurisdiction.level).where(Jurisdiction.id == jurisdiction_id))
    if level is None:
        raise NotFound(f"wilayah {jurisdiction_id} tidak ada", field="jurisdiction_id")
    expected = ROLE_LEVELS.get(role)
    if expected and level not in expected:
        where = " atau ".join(expected)
        raise InvalidInput(f"peran {role} harus pada wilayah {where}", field="jurisdiction_id")


def list_users(session: Session) -> list[User]:
    """Every user, by user name."""
    return list(session.scalars(select(User).order_by(User.username)))


def _find_user(session: Session, username: str, *, for_update: bool = False) -> User:
    query = select(User).where(User.username == normalize_username(username))
    user = session.scalar(query.with_for_update() if for_update else query)
    if user is None:
        raise NotFound(f"pengguna {username} tidak ada", field="username")
    return user


def disable_user(session: Session, *, username: str) -> User:
    """Disable a user; their tokens stop working at the next request. Never the last admin."""
    user = _find_user(session, username, for_update=True)
    if user.role == "admin" and user.disabled_at is None:
        # Every active admin row is locked, so two admins cannot disable each other at once.
        others = session.scalars(
            select(User.id)
            .where(User.role == "admin", User.disabled_at.is_(None), User.id != user.id)
            .order_by(User.id)
            .with_for_update()
        ).all()
        if not others:
            raise Conflict(
                f"{user.username} adalah admin aktif terakhir; tidak dapat dinonaktifkan",
                field="username",
            )
    if user.disabled_at is None:
        user.disabled_at = datetime.now(UTC)
    revoke_user_sessions(session, user_id=user.id, reason="disabled")
    return user


def bootstrap_admin(session: Session, *, username: str) -> str | None:
    """First start: create an administrator with a generated password, returned once.

    None when any administrator exists (enabled or not): a restart never makes another one,
    and the password is never shown again. Serialised by an advisory lock, so two first
    starts at once still make one.
    """
    session.execute(select(func.pg_advisory_xact_lock(BOOTSTRAP_LOCK)))
    if session.scalar(select(func.count()).select_from(User).where(User.role == "admin")):
        return None
    password = secrets.token_urlsafe(18)
    create_user(session, username=username, password=password, role="admin")
    return password


def enable_user(session: Session, *, username: str) -> User:
    """Enable a disabled user again; tokens from before the disabling stay invalid."""
    user = _find_user(session, username, for_update=True)
    if user.disabled_at is not None:
        user.disabled_at = None
        # Tokens carry the account-change time: those issued before the disabling stay dead.
        user.password_changed_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    return user


def set_password(session: Session, *, username: str, password: str) -> User:
    """Set a new password; tokens issued before stop working."""
    user = _find_user(session, username)
    user.password_hash = hash_password(password)
    # Whole seconds: tokens carry the change time as an integer.
    user.password_changed_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    revoke_user_sessions(session, user_id=user.id, reason="password")
    return user


def issue_token(
    settings: Settings, user: User, *, auth_session: AuthSession | None = None
) -> IssuedToken:
    """A signed access token for the user, valid for settings.auth_token_ttl_s.

    Issued within a session (a refresh token's), it names it: revoking the session ends it.
    """
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "role": user.role,
        "iat": now,
        "exp": now + timedelta(seconds=settings.auth_token_ttl_s),
        "jti": secrets.token_urlsafe(12),
        # Changing the password invalidates tokens issued before.
        "pwd": int(user.password_changed_at.timestamp()) if user.password_changed_at else 0,
    }
    if auth_session is not None:
        claims["sid"] = auth_session.id
        claims["ro"] = auth_session.kind == "wall"
    token = jwt.encode(claims, signing_key(settings), algorithm=TOKEN_ALGORITHM)
    return IssuedToken(token, settings.auth_token_ttl_s, user, auth_session)


def user_for_token(session: Session, settings: Settings, token: str) -> User:
    """The active user a token belongs to; AuthenticationFailed if it is bad or expired."""
    try:
        claims = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["sub", "exp", "iat", "role"]},
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise AuthenticationFailed(f"token tidak sah: {type(exc).__name__}") from exc
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        raise AuthenticationFailed("pengguna tidak ada atau dinonaktifkan")
    pwd = int(user.password_changed_at.timestamp()) if user.password_changed_at else 0
    if claims["role"] != user.role or claims.get("pwd", 0) != pwd:
        raise AuthenticationFailed("token dari sebelum perubahan akun")
    if "sid" in claims:
        _live_session(session, user, session.get(AuthSession, int(claims["sid"])))
    return user


def token_is_read_only(token: str) -> bool:
    """A wall credential's token (only for a token user_for_token has just accepted)."""
    claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    return bool(claims.get("ro"))


def token_expires_at(token: str) -> float:
    """A token's expiry (epoch seconds); only for a token user_for_token has just accepted."""
    claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    return float(claims["exp"])


def login(
    session: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    client_ip: str,
    device_id: str | None = None,
) -> IssuedToken:
    """Check the password (rate-limited per user name and client) and issue a token; with a
    device id, also a refresh token that keeps that device logged in for the shift.

    Every attempt is recorded and audited; the caller commits even when this raises.
    """
    username = clean_text(normalize_username(username), limit=64) or ""
    _check_rate_limit(session, settings, username=username, client_ip=client_ip)
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD_LEN])
    if ok and user is not None and user.disabled_at is not None:
        ok = False
    session.add(LoginAttempt(username=username, client_ip=client_ip, succeeded=ok))
    if not ok or user is None:
        reason = "disabled" if user is not None and user.disabled_at else "bad_credentials"
        record_audit(
            session,
            action="login",
            decision="deny",
            reason=reason,
            username=username,
            client_ip=client_ip,
        )
        raise AuthenticationFailed("nama pengguna atau kata sandi salah")
    record_audit(
        session,
        action="login",
        decision="allow",
        user_id=user.id,
        username=user.username,
        role=user.role,
        client_ip=client_ip,
    )
    if device_id:
        return start_session(session, settings, user, device_id=device_id, client_ip=client_ip)
    return issue_token(settings, user)


# Failed logins for one user name from every address together, as a multiple of the
# per-address limit, that mean a distributed guess: alerted, and only known desks get in.
WIDE_LIMIT_FACTOR = 10
# A client address where this user logged in successfully this recently is their desk.
KNOWN_CLIENT_DAYS = 30


def _failed_since(session: Session, condition, since: datetime) -> tuple[int, datetime | None]:  # noqa: ANN001
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.attempted_at)).where(
            condition, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since
        )
    ).one()
    return count, oldest


def _known_client(session: Session, *, username: str, client_ip: str) -> bool:
    since = datetime.now(UTC) - timedelta(days=KNOWN_CLIENT_DAYS)
    return (
        session.scalar(
            select(LoginAttempt.id)
            .where(LoginAttempt.username == username, LoginAttempt.client_ip == client_ip)
            .where(LoginAttempt.succeeded.is_(True), LoginAttempt.attempted_at > since)
            .limit(1)
        )
        is not None
    )


def _check_rate_limit(
    session: Session, settings: Settings, *, username: str, client_ip: str
) -> None:
    """Limits per (user name, address) and per address; a user name guessed from many
    addresses is alerted and then open only to addresses where that user logged in before.

    A user name alone never locks anyone out: a wrong password typed elsewhere cannot stop
    an operator at their own desk.
    """
    window = timedelta(seconds=settings.auth_failed_login_window_s)
    since = datetime.now(UTC) - window
    limit = settings.auth_max_failed_logins
    pair = (LoginAttempt.username == username) & (LoginAttempt.client_ip == client_ip)
    for condition, most, what in (
        (pair, limit, "username"),
        (LoginAttempt.client_ip == client_ip, 4 * limit, "client"),
    ):
        count, oldest = _failed_since(session, condition, since)
        if count >= most:
            _refuse(session, username, client_ip, f"rate_limited_{what}", count, oldest + window)
    count, oldest = _failed_since(session, LoginAttempt.username == username, since)
    if count >= WIDE_LIMIT_FACTOR * limit:
        log.warning("login: %s failed %s times from many addresses", username, count)
        record_audit(
            session,
            action="login_alert",
            decision="deny",
            reason="brute_force_username",
            username=username,
            client_ip=client_ip,
            detail={"failed": count, "window_s": settings.auth_failed_login_window_s},
        )
        if not _known_client(session, username=username, client_ip=client_ip):
            _refuse(
                session, username, client_ip, "rate_limited_unknown_client", count, oldest + window
            )


def _refuse(
    session: Session, username: str, client_ip: str, reason: str, failed: int, until: datetime
) -> None:
    record_audit(
        session,
        action="login",
        decision="deny",
        reason=reason,
        username=username,
        client_ip=client_ip,
        detail={"failed": failed},
    )
    retry = int((until - datetime.now(UTC)).total_seconds()) + 1
    raise LoginRateLimited(
        "terlalu banyak percobaan masuk yang gagal; coba lagi nanti", retry_after_s=max(retry, 1)
    )


# --- sessions: rotating refresh tokens bound to a device --------------------------------

DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{8,64}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live_session(session: Session, user: User, row: AuthSession | None) -> AuthSession:
    """The session if it still stands for this user as they are now."""
    now = datetime.now(UTC)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise AuthenticationFailed("sesi telah berakhir")
    if row.expires_at <= now:
        raise AuthenticationFailed("sesi telah kedaluwarsa")
    if row.jurisdiction_id != user.jurisdiction_id or user.disabled_at is not None:
        raise AuthenticationFailed("akun berubah; silakan masuk kembali")
    return row


def start_session(
    session: Session,
    settings: Settings,
    user: User,
    *,
    device_id: str,
    client_ip: str = "",
    kind: str = "console",
    name: str = "",
) -> IssuedToken:
    """A new device session: an access token and its first refresh token (shown once)."""
    if not DEVICE_ID_RE.match(device_id):
        raise InvalidInput("id perangkat: 8-64 huruf, angka, _ . -", field="device_id")
    now = datetime.now(UTC)
    ttl_s = settings.auth_wall_ttl_s if kind == "wall" else settings.auth_refresh_ttl_s
    refresh = secrets.token_urlsafe(32)
    row = AuthSession(
        user_id=user.id,
        device_id=device_id,
        kind=kind,
        name=name,
        token_hash=_hash(refresh),
        jurisdiction_id=user.jurisdiction_id,
        client_ip=client_ip,
        issued_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
        revoked_reason="",
    )
    session.add(row)
    session.flush()
    issued = issue_token(settings, user, auth_session=row)
    return IssuedToken(issued.access_token, issued.expires_in, user, row, refresh)


def refresh_session(
    session: Session, settings: Settings, *, refresh_token: str, device_id: str
) -> IssuedToken:
    """Rotate: the refresh token is spent and a new one issued with a new access token.

    A spent token presented again means it was copied: the session is revoked.
    """
    digest = _hash(refresh_token)
    row = session.scalar(
        select(AuthSession).where(AuthSession.token_hash == digest).with_for_update()
    )
    if row is None:
        replayed = session.scalar(
            select(AuthSession).where(AuthSession.previous_hash == digest).with_for_update()
        )
        if replayed is not None and replayed.revoked_at is None:
            _revoke(replayed, "replayed")
            log.warning("refresh token of session %s replayed: revoked", replayed.id)
        raise AuthenticationFailed("token penyegaran tidak sah")
    if row.device_id != device_id:
        raise AuthenticationFailed("token penyegaran milik perangkat lain")
    user = session.get(User, row.user_id)
    if user is None:
        raise AuthenticationFailed("pengguna tidak ada")
    _live_session(session, user, row)
    refresh = secrets.token_urlsafe(32)
    row.previous_hash, row.token_hash = digest, _hash(refresh)
    row.refreshed_at = datetime.now(UTC)
    issued = issue_token(settings, user, auth_session=row)
    return IssuedToken(issued.access_token, issued.expires_in, user, row, refresh)


def _revoke(row: AuthSession, reason: str) -> None:
    row.revoked_at, row.revoked_reason = datetime.now(UTC), reason


def revoke_session(session: Session, *, session_id: int, reason: str = "logout") -> None:
    """End one session (its refresh token and the access tokens issued within it)."""
    row = session.get(AuthSession, session_id, with_for_update=True)
    if row is not None and row.revoked_at is None:
        _revoke(row, reason)


def revoke_user_sessions(session: Session, *, user_id: int, reason: str) -> int:
    """End every open session of a user; how many."""
    rows = session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .with_for_update()
    ).all()
    for row in rows:
        _revoke(row, reason)
    return len(rows)


def token_session_id(token: str) -> int | None:
    """The session an accepted access token was issued in, if any."""
    claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    return int(claims["sid"]) if "sid" in claims else None
