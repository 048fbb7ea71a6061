"""Prank history per number: every prank marking stored with its time, and the flag a
repeated prank number raises for the Perwira Piket (open until reviewed).

Revision ID: 1605
Revises: 1103
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "1605"
down_revision = "1103"
branch_labels = None
depends_on = None

REVIEW_OUTCOMES = "'peringatan', 'usul_blokir', 'pantau'"


def _incident() -> sa.ForeignKey:
    # Incidents are never deleted in operation; the cascade only lets test clean-ups run.
    return sa.ForeignKey("incidents.id", ondelete="CASCADE")


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "caller_pranks",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), _incident(), nullable=False, unique=True),
        sa.Column("marked_at", ts, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
    )
    op.create_index("ix_caller_pranks_phone_marked_at", "caller_pranks", ["phone", "marked_at"])
    op.create_table(
        "caller_flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), _incident(), nullable=False),
        sa.Column("raised_at", ts, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("prank_count", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", ts),
        sa.Column("reviewed_by", sa.Text()),
        sa.Column("review_outcome", sa.Text()),
        sa.Column("review_note", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint(f"review_outcome IN ({REVIEW_OUTCOMES})", name="review_outcome"),
        sa.CheckConstraint(
            "(reviewed_at IS NULL) = (review_outcome IS NULL)", name="review_complete"
        ),
    )
    op.create_index(
        "uq_caller_flags_open_phone",
        "caller_flags",
        ["phone"],
        unique=True,
        postgresql_where=sa.text("reviewed_at IS NULL"),
    )
    op.create_index("ix_caller_flags_incident_id", "caller_flags", ["incident_id"])
    # The pranks already on record, at the time they were judged.
    op.execute(
        "INSERT INTO caller_pranks (phone, incident_id, marked_at, actor) "
        "SELECT caller_phone, id, COALESCE(validated_at, created_at), 'migrasi' "
        "FROM incidents WHERE validity = 'prank'"
    )


def downgrade() -> None:
    op.drop_table("caller_flags")
    op.drop_table("caller_pranks")
