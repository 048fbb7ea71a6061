"""Security decisions: one append-only row in security_audit and one log line each."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from api.models import SecurityAudit

log = logging.getLogger("siaga.security")


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
        username=username,
        role=role,
        method=method,
        path=path,
        client_ip=client_ip,
        detail=detail or {},
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
