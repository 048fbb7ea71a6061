"""Domain errors. They know nothing of HTTP; api/errors.py maps them to status codes."""

from __future__ import annotations


class SiagaError(Exception):
    """Base class; `field` names the offending input where there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(SiagaError):
    """The thing asked for does not exist (or is outside the caller's scope)."""


class Conflict(SiagaError):
    """The request contradicts the current state (double assignment, bad transition)."""


class InvalidInput(SiagaError):
    """Input that fails validation; names the field and the reason."""


class InvalidLocation(InvalidInput):
    """A coordinate that is invalid or outside the service area."""


class Forbidden(SiagaError):
    """The caller's role or jurisdiction does not allow this."""


class ServiceUnavailable(SiagaError):
    """A backing service (database, broker) cannot be reached."""


class SetupError(SiagaError):
    """The local environment cannot be prepared (port taken, package missing)."""
