"""Sessions that last a shift: rotating refresh tokens bound to a device, revocable; wall
credentials. Revoking one empties the API processes' access caches (siaga_access_changed).

Revision ID: 1604
Revises: 1603
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "1604"
down_revision = "1603"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False, unique=True),
        sa.Column("previous_hash", sa.Text()),
        sa.Column("jurisdiction_id", sa.Integer()),
        sa.Column("client_ip", sa.Text(), nullable=False),
        sa.Column("issued_at", ts, nullable=False),
        sa.Column("refreshed_at", ts),
        sa.Column("expires_at", ts, nullable=False),
        sa.Column("revoked_at", ts),
        sa.Column("revoked_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('console', 'wall')", name="kind"),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])
    op.create_index("ix_auth_sessions_previous_hash", "auth_sessions", ["previous_hash"])
    op.execute(
        "CREATE TRIGGER auth_sessions_access_changed AFTER UPDATE OF revoked_at OR DELETE "
        "ON auth_sessions FOR EACH STATEMENT EXECUTE FUNCTION siaga_access_changed()"
    )


def downgrade() -> None:
    op.drop_table("auth_sessions")
