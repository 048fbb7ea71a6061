"""Request dependencies: settings, a database session, and the caller's checked access.

`require_access` runs on every route (router-level dependency in api/app.py): it finds the
route's rule in api/policy.py, authenticates the bearer token and fills the caller's Scope.
Routes take `scope: Scope = Depends(get_scope)` and pass it down to the services.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import record_audit
from api.auth import AuthenticationFailed, user_for_token
from api.models import User
from api.policy import Rule, rule_for
from core.errors import InvalidInput
from core.settings import Settings
from jurisdictions.service import descendant_ids


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; routes commit, anything uncommitted is rolled back."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@dataclass(frozen=True)
class Scope:
    """What the caller may see: jurisdiction ids (None = everything) and the user, if any.

    Routes pass `scope.jurisdiction_ids` down to services, which filter by it.
    """

    jurisdiction_ids: frozenset[int] | None = None
    user_id: int | None = None
    role: str | None = None
    unit_id: int | None = None
    username: str | None = None


# No text field of the API needs more; fields' own schemas are tighter.
MAX_TEXT_CHARS = 8000
MAX_BODY_BYTES = 1_000_000
# A crew may update an assignment until it ends.
FINAL_ASSIGNMENT = ("cleared", "cancelled")
# Public routes (health, login, page shells) see no jurisdiction's data through a scope.
PUBLIC_SCOPE = Scope(jurisdiction_ids=frozenset())


class AccessDenied(Exception):
    """401 (who are you?), 403 (not allowed), 413 (too large) or 429 (slow down)."""

    def __init__(self, status: int, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after_s = retry_after_s


async def access_denied_handler(request: Request, exc: AccessDenied) -> JSONResponse:
    codes = {401: "unauthenticated", 403: "access_denied", 413: "too_large", 429: "rate_limited"}
    code = codes[exc.status]
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    if exc.retry_after_s is not None:
        headers["Retry-After"] = str(exc.retry_after_s)
    body = {"error": code, "message": exc.message, "field": None}
    return JSONResponse(body, status_code=exc.status, headers=headers)


def install_access_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AccessDenied, access_denied_handler)  # type: ignore[arg-type]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# Declares the bearer scheme in the OpenAPI spec (the docs' Authorize button); the token
# itself is read in _authenticate, which also knows the event streams' query parameter.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def require_access(
    request: Request,
    session: Session = Depends(get_session),
    _bearer: str | None = Depends(oauth2_scheme),
) -> Scope:
    """Authenticate the caller and check the route's policy; the caller's Scope."""
    path = route_template(request)
    rule = rule_for(request.method, path)
    if rule is not None and rule.public:
        return PUBLIC_SCOPE
    if rule is None:
        _deny(session, request, 403, "route_not_in_policy", "akses ditolak", path=path)
    user = _authenticate(session, request, rule, path)
    if user.role not in rule.roles:
        _deny(session, request, 403, "role", "peran Anda tidak boleh memakai ini", path, user)
    scope = build_scope(session, user)
    if rule.unit_param and user.role == "unit" and not _own_unit(session, request, rule, user):
        _deny(session, request, 403, "other_unit", "hanya untuk unit Anda sendiri", path, user)
    if request.method not in ("GET", "HEAD"):
        _audit(session, request, "allow", "", path, user)
    if rule.query_token:
        # An event stream lasts for hours: give the connection back to the pool now.
        session.commit()
    request.state.scope = scope
    return scope


async def check_input(request: Request) -> None:
    """Central input hygiene for every route: body size, text length, no NUL characters.

    Routes' own schemas set tighter limits per field; this catches any text field without
    one (PostgreSQL cannot store NUL in text, so it would otherwise be a server error).
    """
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise AccessDenied(413, f"permintaan terlalu besar (maks. {MAX_BODY_BYTES} bita)")
    for name, value in request.query_params.multi_items():
        _check_text(f"query.{name}", value)
    for name, value in request.path_params.items():
        _check_text(f"path.{name}", str(value))
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise AccessDenied(413, f"permintaan terlalu besar (maks. {MAX_BODY_BYTES} bita)")
        try:
            _walk_json("body", json.loads(body or b"null"))
        except ValueError:
            return  # malformed JSON: FastAPI's own validation answers 422


def _walk_json(where: str, value: object) -> None:
    if isinstance(value, str):
        _check_text(where, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(f"{where} key", key)
            _walk_json(f"{where}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk_json(f"{where}.{index}", item)


def _check_text(where: str, value: str) -> None:
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidInput(f"teks terlalu panjang (maks. {MAX_TEXT_CHARS} karakter)", field=where)
    if "\x00" in value:
        raise InvalidInput("teks memuat karakter NUL", field=where)


def route_template(request: Request) -> str:
    """The matched route's full path template, e.g. /api/incidents/{incident_id}."""
    # FastAPI keeps the effective route (include_router prefixes applied) in its scope entry;
    # scope["route"] is the router's own route, without those prefixes.
    context = request.scope.get("fastapi", {}).get("effective_route_context")
    route = request.scope.get("route")
    return getattr(context, "path", None) or getattr(route, "path", None) or request.url.path


async def get_scope(scope: Scope = Depends(require_access)) -> Scope:
    """The caller's scope (require_access runs once per request; this reuses its result).

    async: it does no I/O, so it need not cost a threadpool hop on every request.
    """
    return scope


def _authenticate(session: Session, request: Request, rule: Rule, path: str) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        token = request.query_params.get("access_token", "") if rule.query_token else ""
    if not token:
        _deny(session, request, 401, "no_token", "silakan masuk terlebih dahulu", path)
    try:
        return user_for_token(session, request.app.state.settings, token.strip())
    except AuthenticationFailed as exc:
        _deny(session, request, 401, "bad_token", exc.message, path)
    raise AssertionError("unreachable")


def build_scope(session: Session, user: User) -> Scope:
    """Admin sees everything; everyone else their jurisdiction and what lies below it."""
    ids: frozenset[int] | None = None
    if user.role != "admin" and user.jurisdiction_id is not None:
        ids = frozenset(descendant_ids(session, jurisdiction_id=user.jurisdiction_id))
    if user.role == "unit" and user.unit_id is not None:
        ids = (ids or frozenset()) | _assigned_jurisdictions(session, user.unit_id)
    return Scope(
        jurisdiction_ids=ids,
        user_id=user.id,
        role=user.role,
        unit_id=user.unit_id,
        username=user.username,
    )


def _own_unit(session: Session, request: Request, rule: Rule, user: User) -> bool:
    """For the 'unit' role: the path parameter names the caller's unit (or its assignment)."""
    value = str(request.path_params.get(rule.unit_param or "", ""))
    if rule.unit_param == "unit_id":
        return value == str(user.unit_id)
    if rule.unit_param == "assignment_id":
        from dispatch.models import Assignment

        owner = session.scalar(select(Assignment.unit_id).where(Assignment.id == _as_int(value)))
        return owner is not None and owner == user.unit_id
    from tracking.models import Unit

    call_sign = session.scalar(select(Unit.call_sign).where(Unit.id == user.unit_id))
    return value == call_sign


def _as_int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else -1


def _assigned_jurisdictions(session: Session, unit_id: int) -> set[int]:
    """Where the unit's open assignments are (so its crew can see and update those jobs)."""
    from dispatch.models import Assignment, Incident

    rows = session.execute(
        select(Incident.polsek_id, Incident.polres_id, Incident.polda_id)
        .join(Assignment, Assignment.incident_id == Incident.id)
        .where(Assignment.unit_id == unit_id, Assignment.status.not_in(FINAL_ASSIGNMENT))
    )
    return {next(i for i in row if i is not None) for row in rows if any(row)}


def _audit(
    session: Session,
    request: Request,
    decision: str,
    reason: str,
    path: str,
    user: User | None = None,
) -> None:
    record_audit(
        session,
        action="request",
        decision=decision,
        reason=reason,
        user_id=user.id if user else None,
        username=user.username if user else None,
        role=user.role if user else None,
        method=request.method,
        path=path,
        client_ip=client_ip(request),
        detail={"url_path": request.url.path[:500]},
    )


def _deny(
    session: Session,
    request: Request,
    status: int,
    reason: str,
    message: str,
    path: str,
    user: User | None = None,
) -> None:
    """Record the denial (committed now: the request itself is refused) and raise."""
    _audit(session, request, "deny", reason, path, user)
    session.commit()
    raise AccessDenied(status, message)
