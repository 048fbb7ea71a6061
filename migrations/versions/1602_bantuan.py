"""Bantuan: a unit of another Polres, assigned only once its Polres (or the Polda) approves;
each side keeps its own append-only record of the request.

Revision ID: 1602
Revises: 1101
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "1602"
down_revision = "1101"
branch_labels = None
depends_on = None

LOG_GUARD = """
CREATE FUNCTION bantuan_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'bantuan_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER bantuan_log_append_only BEFORE UPDATE OR DELETE ON bantuan_log
    FOR EACH ROW EXECUTE FUNCTION bantuan_log_append_only();
"""


def _jurisdiction(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("jurisdictions.id"), **kwargs)


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "bantuan_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        _jurisdiction("requester_jurisdiction_id"),
        _jurisdiction("lender_jurisdiction_id"),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", ts, nullable=False),
        sa.Column("decided_by", sa.Text()),
        sa.Column("decided_at", ts),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignments.id")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'cancelled')", name="status"
        ),
    )
    op.create_index("ix_bantuan_requests_incident_id", "bantuan_requests", ["incident_id"])
    op.create_index("ix_bantuan_requests_unit_id", "bantuan_requests", ["unit_id"])
    op.create_index(
        "ix_bantuan_requests_lender_jurisdiction_id", "bantuan_requests", ["lender_jurisdiction_id"]
    )
    op.create_index(
        "uq_bantuan_pending",
        "bantuan_requests",
        ["incident_id", "unit_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "bantuan_log",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("bantuan_requests.id"), nullable=False),
        _jurisdiction("jurisdiction_id"),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_bantuan_log_request_id", "bantuan_log", ["request_id"])
    op.create_index("ix_bantuan_log_jurisdiction_id", "bantuan_log", ["jurisdiction_id"])
    op.execute(LOG_GUARD)


def downgrade() -> None:
    op.drop_table("bantuan_log")
    op.execute("DROP FUNCTION IF EXISTS bantuan_log_append_only()")
    op.drop_table("bantuan_requests")
