"""Login (OAuth2 password flow), the caller's identity, and user administration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import auth
from api.deps import (
    AccessDenied,
    Scope,
    audit_change,
    bearer_token,
    client_ip,
    get_scope,
    get_session,
)
from api.models import ROLES, SecurityAudit, User

router = APIRouter(prefix="/api/auth", tags=["auth"])

Role = Literal[ROLES]  # type: ignore[valid-type]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    username: str
    # With a device id: the refresh token (rotated at each use) and how long the session lasts.
    refresh_token: str | None = None
    refresh_expires_in: int | None = None

    @classmethod
    def of(cls, issued: auth.IssuedToken) -> TokenOut:
        left = None
        if issued.auth_session is not None:
            expires = issued.auth_session.expires_at
            left = int((expires - datetime.now(UTC)).total_seconds())
        return cls(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            role=issued.user.role,
            username=issued.user.username,
            refresh_token=issued.refresh_token,
            refresh_expires_in=left,
        )


DeviceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{8,64}$")]


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=20, max_length=200)
    device_id: DeviceId


class WallIn(BaseModel):
    device_id: DeviceId
    name: str = Field("", max_length=100)


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    jurisdiction_id: int | None
    unit_id: int | None
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            jurisdiction_id=user.jurisdiction_id,
            unit_id=user.unit_id,
            disabled=user.disabled_at is not None,
            created_at=user.created_at,
        )


class MeOut(UserOut):
    jurisdiction_ids: list[int] | None
    timezone: str | None = None  # of the user's jurisdiction (pages show its clock)


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    password: str = Field(min_length=auth.MIN_PASSWORD_LEN, max_length=auth.MAX_PASSWORD_LEN)
    role: Role
    full_name: str = Field("", max_length=200)
    jurisdiction_id: int | None = Field(None, ge=1, le=2**31 - 1)
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1)


class AuditOut(BaseModel):
    id: int
    at: datetime
    action: str
    decision: str
    reason: str
    username: str | None
    role: str | None
    method: str | None
    path: str | None
    client_ip: str | None


@router.post("/token", response_model=TokenOut)
def issue_token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(min_length=1, max_length=auth.MAX_PASSWORD_LEN)],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
    device_id: Annotated[str | None, Form(pattern=r"^[A-Za-z0-9_.-]{8,64}$")] = None,
    session: Session = Depends(get_session),
) -> TokenOut:
    """OAuth2 password flow: user name and password in, a short-lived bearer token out
    (and with device_id, a refresh token that keeps this device logged in for the shift)."""
    settings = request.app.state.settings
    try:
        issued = auth.login(
            session,
            settings,
            username=username,
            password=password,
            client_ip=client_ip(request),
            device_id=device_id,
        )
    except auth.LoginRateLimited as exc:
        session.commit()
        raise AccessDenied(429, exc.message, retry_after_s=exc.retry_after_s) from exc
    except auth.AuthenticationFailed as exc:
        session.commit()
        raise AccessDenied(401, exc.message) from exc
    session.commit()
    return TokenOut.of(issued)


@router.post("/refresh", response_model=TokenOut)
def refresh(body: RefreshIn, request: Request, session: Session = Depends(get_session)) -> TokenOut:
    """Spend a refresh token for a new access token and a new refresh token (same device)."""
    try:
        issued = auth.refresh_session(
            session,
            request.app.state.settings,
            refresh_token=body.refresh_token,
            device_id=body.device_id,
        )
    except auth.AuthenticationFailed as exc:
        session.commit()  # a replayed token's revocation stands
        raise AccessDenied(401, exc.message) from exc
    session.commit()
    return TokenOut.of(issued)


@router.post("/logout", status_code=204)
def logout(request: Request, session: Session = Depends(get_session)) -> Response:
    """End this device's session: its refresh token and access tokens stop working."""
    token = bearer_token(request, None)
    session_id = auth.token_session_id(token) if token else None
    if session_id is not None:
        auth.revoke_session(session, session_id=session_id)
        session.commit()
    return Response(status_code=204)


@router.post("/wall", response_model=TokenOut, status_code=201)
def wall_credential(
    body: WallIn,
    request: Request,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> TokenOut:
    """A read-only credential for a wall screen, bound to its device id (shown once)."""
    user = session.get(User, scope.user_id)
    issued = auth.start_session(
        session,
        request.app.state.settings,
        user,
        device_id=body.device_id,
        client_ip=client_ip(request),
        kind="wall",
        name=body.name,
    )
    audit_change(
        session, scope, "wall_credential_issued", target=user.username, target_role=user.role
    )
    session.commit()
    return TokenOut.of(issued)


@router.get("/me", response_model=MeOut)
def me(scope: Scope = Depends(get_scope), session: Session = Depends(get_session)) -> MeOut:
    """Who the token belongs to and which jurisdictions they see (null: all)."""
    user = session.get(User, scope.user_id)
    ids = sorted(scope.jurisdiction_ids) if scope.jurisdiction_ids is not None else None
    zone = None
    if user.jurisdiction_id is not None:
        from jurisdictions.service import effective_timezone

        zone = effective_timezone(session, jurisdiction_id=user.jurisdiction_id)
    return MeOut(**UserOut.of(user).model_dump(), jurisdiction_ids=ids, timezone=zone)


@router.get("/users", response_model=list[UserOut])
def list_users(session: Session = Depends(get_session)) -> list[UserOut]:
    """Every user (administrators only)."""
    return [UserOut.of(user) for user in auth.list_users(session)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserIn, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> UserOut:
    """Add a user (administrators only); the password is stored as an argon2id hash."""
    user = auth.create_user(session, **body.model_dump())
    audit_change(session, scope, "user_created", target=user.username, target_role=user.role)
    session.commit()
    return UserOut.of(user)


@router.post("/users/{username}/disable", response_model=UserOut)
def disable_user(
    username: Annotated[str, Path(max_length=64)],
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> UserOut:
    """Disable a user; their tokens stop working at once."""
    user = auth.disable_user(session, username=username)
    audit_change(session, scope, "user_disabled", target=user.username, target_role=user.role)
    session.commit()
    return UserOut.of(user)


@router.post("/users/{username}/enable", response_model=UserOut)
def enable_user(
    username: Annotated[str, Path(max_length=64)],
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> UserOut:
    """Enable a disabled user again; they log in anew (older tokens stay invalid)."""
    user = auth.enable_user(session, username=username)
    audit_change(session, scope, "user_enabled", target=user.username, target_role=user.role)
    session.commit()
    return UserOut.of(user)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    session: Session = Depends(get_session),
) -> list[AuditOut]:
    """The latest security decisions, newest first (administrators only)."""
    rows = session.scalars(select(SecurityAudit).order_by(SecurityAudit.id.desc()).limit(limit))
    return [AuditOut.model_validate(row, from_attributes=True) for row in rows]
