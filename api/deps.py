"""Request dependencies: settings and a database session (routes commit what they change)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from core.settings import Settings


def get_settings_dep(request: Request) -> Settings:
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
    The security issue fills this from the logged-in user's role and jurisdiction.
    """

    jurisdiction_ids: frozenset[int] | None = None
    user_id: int | None = None
    role: str | None = None
    unit_id: int | None = None


def get_scope(request: Request) -> Scope:
    """The caller's scope; unrestricted until authentication is installed."""
    return getattr(request.state, "scope", None) or Scope()
