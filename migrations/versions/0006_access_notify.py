"""Access changes are announced: NOTIFY siaga_access when users or jurisdictions change.

API processes cache a caller's checked access for a few seconds (api/access_cache.py); this
tells every one of them at once, on commit, that a cached answer may be stale.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NOTIFY_FN = """
CREATE OR REPLACE FUNCTION siaga_access_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Delivered on commit only, once per transaction and table (PostgreSQL folds duplicates).
    PERFORM pg_notify('siaga_access', TG_TABLE_NAME);
    RETURN NULL;
END $$;
"""
# What a token's access depends on: the user's role, place, unit and standing; the tree of
# jurisdictions below it. A new user cannot hold a cached token yet, so INSERT on users is
# not needed; a new jurisdiction can widen a scope, so it is.
TRIGGERS = {
    "users_access_changed": (
        "users",
        "AFTER UPDATE OF role, jurisdiction_id, unit_id, disabled_at, password_changed_at, "
        "password_hash, username OR DELETE OR TRUNCATE",
    ),
    "jurisdictions_access_changed": (
        "jurisdictions",
        "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE",
    ),
}


def upgrade() -> None:
    op.execute(NOTIFY_FN)
    for name, (table, events) in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION siaga_access_changed()"
        )


def downgrade() -> None:
    for name, (table, _events) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS siaga_access_changed()")
