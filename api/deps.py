"""Request dependencies: settings, a database session, and the caller's checked access.

`require_access` runs on every route (router-level dependency in api/app.py): it finds the
route's rule in api/policy.py, authenticates the bearer token and fills the caller's Scope.
Routes take `scope: Scope = Depends(get_scope)` and pass it down to the services.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.access_cache import AccessCache
from api.audit import record_audit
from api.auth import AuthenticationFailed, token_expires_at, token_is_read_only, user_for_token
from api.models import User
from api.policy import Rule, rule_for
from core.errors import InvalidInput
from core.settings import Settings
from jurisdictions.service import descendant_ids


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; routes commit, anything uncommitted is rolled back.

    async: opening a Session does no I/O (it connects on first use), so it costs no threadpool
    hop; ending one that did use the database does, off the event loop, after the response.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            with anyio.CancelScope(shield=True):  # a client that hung up still frees the connection
                await run_in_threadpool(_end_session, session)
        else:
            session.close()


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """An autocommit session for routes that answer with a single read (the hot lookups)."""
    session: Session = request.app.state.read_session_factory()
    try:
        yield session
    finally:
        session.close()  # autocommit: nothing to roll back, no round trip


def _end_session(session: Session) -> None:
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

    @property
    def set_by(self) -> str:
        """Who made a change, as tracker rows record it ("user:<name>")."""
        return f"user:{self.username or self.user_id}"


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


async def require_access(request: Request, session: Session = Depends(get_session)) -> Scope:
    """Check the route's policy, authenticate the caller, check the input; the caller's Scope.

    One dependency for all of it (FastAPI's per-dependency cost is most of a fast request's).
    The bearer scheme is declared in the OpenAPI spec by api/app.py, not by a dependency.
    """
    scope = await _access(request, session)
    await check_input(request)
    return scope


# Routes ask for the caller's scope by this name; it is require_access itself, so FastAPI's
# per-request dependency cache answers it without running anything again.
get_scope = require_access


async def _access(request: Request, session: Session) -> Scope:
    """A GET whose token passed the full check moments ago reuses that answer without I/O
    (api/access_cache.py says when that is safe); everything else takes the full check.
    """
    path = route_template(request)
    rule = rule_for(request.method, path)
    if rule is not None and rule.public:
        return PUBLIC_SCOPE
    cache: AccessCache = request.app.state.access_cache
    token = bearer_token(request, rule)
    cacheable = bool(token) and rule is not None and request.method in ("GET", "HEAD")
    if cacheable:
        hit = cache.get(token)
        if hit is not None and rule is not None and hit.role in rule.roles:
            request.state.scope = hit.scope
            return hit.scope
    generation = cache.generation()
    scope = await run_in_threadpool(_check_access, request, session, rule, path, token)
    if cacheable and scope.role != "unit":  # a crew's scope follows its open assignments
        expires_s = token_expires_at(token)
        cache.put(
            token, role=scope.role, scope=scope, token_expires_s=expires_s, generation=generation
        )
    return scope


def _check_access(
    request: Request, session: Session, rule: Rule | None, path: str, token: str
) -> Scope:
    """The full check: the policy rule, the token against the user row, the scope."""
    if rule is None:
        _deny(session, request, 403, "route_not_in_policy", "akses ditolak", path=path)
    assert rule is not None
    user = _authenticate(session, request, token, path)
    if request.method not in ("GET", "HEAD") and token_is_read_only(token):
        _deny(session, request, 403, "read_only", "kredensial layar dinding hanya-baca", path, user)
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


def bearer_token(request: Request, rule: Rule | None) -> str:
    """The Authorization bearer token; event streams may pass it as ?access_token=."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        token = request.query_params.get("access_token", "") if rule and rule.query_token else ""
    return token.strip()


async def check_input(request: Request) -> None:
    """Central input hygiene for every route: text length, no NUL characters.

    Routes' own schemas set tighter limits per field; this catches any text field without
    one (PostgreSQL cannot store NUL in text, so it would otherwise be a server error).
    Body size is api/body_limit.py's, before the body is read.
    """
    for name, value in request.query_params.multi_items():
        _check_text(f"query.{name}", value)
    for name, value in request.path_params.items():
        _check_text(f"path.{name}", str(value))
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        try:
            _walk_json("body", json.loads(body or b"null"))
        except ValueError:
            return  # malformed JSON: FastAPI's own validation answers 422
        except RecursionError:  # no form of the API nests this deep; parsing it again would crash
            raise InvalidInput("JSON bersarang terlalu dalam", field="body") from None


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


def _authenticate(session: Session, request: Request, token: str, path: str) -> User:
    if not token:
        _deny(session, request, 401, "no_token", "silakan masuk terlebih dahulu", path)
    try:
        return user_for_token(session, request.app.state.settings, token)
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


def audit_change(session: Session, scope: Scope, action: str, **detail: object) -> None:
    """Record a change the caller was allowed to make (user, credential, tracker, key changes)."""
    record_audit(
        session,
        action=action,
        decision="allow",
        user_id=scope.user_id,
        username=scope.username,
        role=scope.role,
        detail=detail,
    )


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
