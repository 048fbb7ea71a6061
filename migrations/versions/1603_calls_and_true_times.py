"""True times: calls as the telephony hook (or the operator's "Terima panggilan") saw them,
each incident's T0 source, and manual arrivals recorded with the unit's distance and fix age.

Revision ID: 1603
Revises: 1102
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "1603"
down_revision = "1102"
branch_labels = None
depends_on = None

OLD_ROLES = (
    "'polda_operator', 'polres_operator', 'polsek_operator', 'commander', 'planner', 'admin', "
    "'unit', 'perwira_piket', 'direktur', 'desk', 'spkt'"
)
NEW_ROLES = OLD_ROLES + ", 'telephony'"


def _calls() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("caller_phone", sa.Text(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), sa.ForeignKey("jurisdictions.id")),
        sa.Column("rang_at", ts, nullable=False),
        sa.Column("seen_at", ts, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("answered_at", ts),
        sa.Column("answered_by", sa.Text()),
        sa.Column("external_id", sa.Text()),
        sa.CheckConstraint("source IN ('telephony', 'console')", name="source"),
        sa.CheckConstraint("status IN ('waiting', 'answered', 'abandoned')", name="status"),
        sa.CheckConstraint("rang_at <= seen_at + interval '60 seconds'", name="rang_before_seen"),
    )
    op.create_index("ix_calls_status", "calls", ["status"])
    op.create_index("ix_calls_jurisdiction_id", "calls", ["jurisdiction_id"])
    op.create_index(
        "uq_calls_external_id",
        "calls",
        ["external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )


def upgrade() -> None:
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint("role", "users", f"role IN ({NEW_ROLES})")
    _calls()
    op.add_column("incidents", sa.Column("call_id", sa.Integer(), sa.ForeignKey("calls.id")))
    op.create_index("uq_incidents_call_id", "incidents", ["call_id"], unique=True)
    # Where T0 came from: the telephony ring, the operator's "Terima panggilan", a time the
    # operator entered (bounded), or the moment the form was saved (rows before this change).
    op.add_column(
        "incidents", sa.Column("t0_source", sa.Text(), nullable=False, server_default="created")
    )
    op.create_check_constraint(
        "t0_source", "incidents", "t0_source IN ('telephony', 'console', 'entered', 'created')"
    )
    op.add_column("incidents", sa.Column("arrival_verified", sa.Boolean()))
    op.add_column("assignments", sa.Column("arrival_distance_m", sa.Float()))
    op.add_column("assignments", sa.Column("arrival_fix_age_s", sa.Float()))
    op.add_column("assignments", sa.Column("arrival_verified", sa.Boolean()))
    op.execute("UPDATE assignments SET arrival_verified = true WHERE arrival_source = 'gps'")
    op.execute(
        "UPDATE incidents i SET arrival_verified = EXISTS (SELECT 1 FROM assignments a "
        "WHERE a.incident_id = i.id AND a.arrival_source = 'gps') WHERE on_scene_at IS NOT NULL"
    )


def downgrade() -> None:
    for column in ("arrival_verified", "arrival_fix_age_s", "arrival_distance_m"):
        op.drop_column("assignments", column)
    op.drop_column("incidents", "arrival_verified")
    op.drop_column("incidents", "t0_source")
    op.drop_index("uq_incidents_call_id", "incidents")
    op.drop_column("incidents", "call_id")
    op.drop_table("calls")
    op.execute("DELETE FROM users WHERE role = 'telephony'")
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint("role", "users", f"role IN ({OLD_ROLES})")
