"""Security: the cost of the per-request access check beside a bare user-row SELECT.

Every API request decodes the token, re-reads the user (so a disabled user is locked out at
once) and computes the jurisdiction scope; this measures that in-process for a Polres operator
over a Polres with 20 Polsek. Everything is created in a transaction rolled back at the end.
"""

from __future__ import annotations

import secrets

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth import create_user, hash_password, issue_token, user_for_token
from api.deps import build_scope
from bench.common import BenchContext, Figure, median, percentile, time_calls_ms

SQUARE = "MULTIPOLYGON(((140 -10, 140.1 -10, 140.1 -9.9, 140 -9.9, 140 -10)))"


def _jurisdiction(session: Session, level: str, parent_id: int | None) -> int:
    return session.execute(
        text(
            "INSERT INTO jurisdictions (code, name, level, parent_id, geom) "
            "VALUES (:code, 'Bench', :level, :parent, ST_GeomFromText(:wkt, 4326)) RETURNING id"
        ),
        {"code": f"B{secrets.token_hex(4)}", "level": level, "parent": parent_id, "wkt": SQUARE},
    ).scalar_one()


def run(ctx: BenchContext) -> list[Figure]:
    repeat = 200 if ctx.quick else 2000
    with ctx.engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        polda = _jurisdiction(session, "polda", None)
        polres = _jurisdiction(session, "polres", polda)
        for _ in range(20):
            _jurisdiction(session, "polsek", polres)
        user = create_user(
            session,
            username=f"bench-{secrets.token_hex(4)}",
            password_hash=hash_password(secrets.token_urlsafe(16)),
            role="polres_operator",
            jurisdiction_id=polres,
        )
        session.flush()
        token = issue_token(ctx.settings, user).access_token

        def check() -> None:
            session.expunge_all()  # a request starts with an empty session
            build_scope(session, user_for_token(session, ctx.settings, token))

        select_user = text("SELECT * FROM users WHERE id = :id")
        raw = time_calls_ms(lambda: conn.execute(select_user, {"id": user.id}).all(), repeat)
        checks = time_calls_ms(check, repeat)
        session.close()
        outer.rollback()
    return [
        Figure(
            "auth_check_p99_ms",
            percentile(checks, 99),
            "ms",
            "user_select_p99_ms",
            percentile(raw, 99),
            note=f"median {median(checks):.3f} ms: JWT decode, user row, scope of 22 jurisdictions",
        )
    ]
