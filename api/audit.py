"""Security decisions: one append-only row in security_audit and one log line each."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from api.models import SecurityAudit

log = logging.getLogger("siaga.security")


def clean_text(value: str | None, limit: int = 500) -> str | None:
    """Caller-supplied text as it may be stored: bounded, without NUL (PostgreSQL refuses it)."""
    return None if value is None else value[:limit].replace("\x00", "\\0")


def record_audit(
    session: Session,
    *,
    action: str,
    decision: str,
    reason: str = "",
    user_id: int | None = None,
    username: str | None = None,
    role: str | None = None,
    method: str | None = None,
    path: str | None = None,
    client_ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityAudit:
    """Add an audit row (committed with the caller's transaction) and log the decision."""
    row = SecurityAudit(
        action=action,
        decision=decision,
        reason=reason,
        user_id=user_id,
        username=clean_text(username),
        role=role,
        method=method,
        path=clean_text(path),
        client_ip=client_ip,
        detail={
            key: clean_text(v) if isinstance(v, str) else v for key, v in (detail or {}).items()
        },
    )
    session.add(row)
    level = logging.INFO if decision == "allow" else logging.WARNING
    log.log(
        level,
        "%s %s user=%s role=%s %s %s client=%s reason=%s",
        action,
        decision,
        username,
        role,
        method or "",
        path or "",
        client_ip,
        reason,
    )
    return row
