"""Security: users, login attempts, append-only security audit, unit broker credentials.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ROLES = (
    "'polda_operator', 'polres_operator', 'polsek_operator', 'commander', 'planner', 'admin', "
    "'unit'"
)

# The audit log is append-only: no UPDATE, DELETE or TRUNCATE, even by the application.
APPEND_ONLY_FN = """
CREATE OR REPLACE FUNCTION security_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'security_audit is append-only (% refused)', TG_OP;
END $$;
"""


def _timestamp(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)


def _create_users() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        _timestamp("disabled_at", nullable=True),
        _timestamp("created_at", nullable=False, server_default=sa.func.now()),
        _timestamp("password_changed_at", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"role IN ({ROLES})", name="role"),
        sa.CheckConstraint("username ~ '^[a-z0-9_.-]{3,64}$'", name="username"),
        sa.CheckConstraint(
            "role IN ('admin', 'commander', 'planner') OR jurisdiction_id IS NOT NULL",
            name="jurisdiction",
        ),
        sa.CheckConstraint("(role = 'unit') = (unit_id IS NOT NULL)", name="unit"),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )


def _create_login_attempts() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("client_ip", sa.Text(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        _timestamp("attempted_at", nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempts_username", "login_attempts", ["username"])
    op.create_index("ix_login_attempts_client_ip", "login_attempts", ["client_ip"])
    op.create_index("ix_login_attempts_attempted_at", "login_attempts", ["attempted_at"])


def _create_security_audit() -> None:
    op.create_table(
        "security_audit",
        sa.Column("id", sa.BigInteger(), nullable=False),
        _timestamp("at", nullable=False, server_default=sa.func.now()),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("client_ip", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.CheckConstraint("decision IN ('allow', 'deny')", name="decision"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_security_audit_at", "security_audit", ["at"])
    op.create_index("ix_security_audit_action", "security_audit", ["action"])
    op.execute(APPEND_ONLY_FN)
    op.execute(
        "CREATE TRIGGER security_audit_no_change BEFORE UPDATE OR DELETE ON security_audit "
        "FOR EACH ROW EXECUTE FUNCTION security_audit_append_only()"
    )
    op.execute(
        "CREATE TRIGGER security_audit_no_truncate BEFORE TRUNCATE ON security_audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION security_audit_append_only()"
    )


def _create_unit_credentials() -> None:
    op.create_table(
        "unit_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        _timestamp("issued_at", nullable=False, server_default=sa.func.now()),
        sa.Column("issued_by", sa.Text(), nullable=False, server_default=""),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    # One active credential per unit (re-issuing revokes the old one first).
    op.create_index(
        "uq_unit_credentials_active",
        "unit_credentials",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def upgrade() -> None:
    _create_users()
    _create_login_attempts()
    _create_security_audit()
    _create_unit_credentials()


def downgrade() -> None:
    op.drop_table("unit_credentials")
    op.drop_table("security_audit")
    op.execute("DROP FUNCTION IF EXISTS security_audit_append_only()")
    op.drop_table("login_attempts")
    op.drop_table("users")
