"""Piket: shifts and members, the shift's buku mutasi, Perwira Piket orders and their
actions, forwards to the fungsi terkait, archived daily reports.

The journal and the order actions are append-only: the database refuses edits and deletions.

Revision ID: 1301
Revises: 1401
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "1301"
down_revision = "1401"
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE FUNCTION piket_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$;
CREATE TRIGGER piket_journal_append_only BEFORE UPDATE OR DELETE ON piket_journal
    FOR EACH ROW EXECUTE FUNCTION piket_append_only();
CREATE TRIGGER piket_order_actions_append_only BEFORE UPDATE OR DELETE ON piket_order_actions
    FOR EACH ROW EXECUTE FUNCTION piket_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS piket_order_actions_append_only ON piket_order_actions;
DROP TRIGGER IF EXISTS piket_journal_append_only ON piket_journal;
DROP FUNCTION IF EXISTS piket_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "piket_daily_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.Text(), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Text(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["jurisdictions.id"],
            name=op.f("fk_piket_daily_reports_center_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_daily_reports")),
        sa.UniqueConstraint("center_id", "report_date", name="uq_piket_daily_reports_center_date"),
    )
    op.create_table(
        "piket_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("function_code", sa.Text(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("forwarded_by", sa.Text(), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_by", sa.Text(), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "function_code ~ '^[a-z0-9_]{2,32}$'", name=op.f("ck_piket_forwards_function_code")
        ),
        sa.CheckConstraint(
            "status IN ('sent', 'acknowledged', 'done')", name=op.f("ck_piket_forwards_status")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_piket_forwards_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_piket_forwards_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_forwards")),
        sa.UniqueConstraint("incident_id", "function_code", name="uq_piket_forwards_function"),
    )
    op.create_index(
        "ix_piket_forwards_desk",
        "piket_forwards",
        ["function_code", "jurisdiction_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_piket_forwards_incident_id"), "piket_forwards", ["incident_id"], unique=False
    )
    op.create_index(
        "ix_piket_forwards_unacknowledged",
        "piket_forwards",
        ["ack_deadline"],
        unique=False,
        postgresql_where=sa.text("acknowledged_at IS NULL AND escalated_at IS NULL"),
    )
    op.create_table(
        "piket_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("planned_hours", sa.Integer(), nullable=False),
        sa.Column("perwira_user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checklist", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("handover_from_id", sa.Integer(), nullable=True),
        sa.Column("handover", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("handover_acknowledged_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('preparing', 'open', 'closed')", name=op.f("ck_piket_shifts_status")
        ),
        sa.CheckConstraint(
            "closed_at IS NULL OR closed_at >= opened_at", name=op.f("ck_piket_shifts_interval")
        ),
        sa.CheckConstraint("planned_hours BETWEEN 1 AND 24", name=op.f("ck_piket_shifts_hours")),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["jurisdictions.id"],
            name=op.f("fk_piket_shifts_center_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["handover_from_id"],
            ["piket_shifts.id"],
            name=op.f("fk_piket_shifts_handover_from_id_piket_shifts"),
        ),
        sa.ForeignKeyConstraint(
            ["perwira_user_id"], ["users.id"], name=op.f("fk_piket_shifts_perwira_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_shifts")),
    )
    op.create_index(
        "ix_piket_shifts_center_opened", "piket_shifts", ["center_id", "opened_at"], unique=False
    )
    op.create_index(
        "uq_piket_shifts_open",
        "piket_shifts",
        ["center_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "uq_piket_shifts_preparing",
        "piket_shifts",
        ["center_id"],
        unique=True,
        postgresql_where=sa.text("status = 'preparing'"),
    )
    op.create_table(
        "piket_journal",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "kind IN ('check', 'opened', 'handover', 'closed', 'visitor', 'equipment', 'order', "
            "'note')",
            name=op.f("ck_piket_journal_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_piket_journal_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["piket_shifts.id"], name=op.f("fk_piket_journal_shift_id_piket_shifts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_journal")),
    )
    op.create_index(op.f("ix_piket_journal_shift_id"), "piket_journal", ["shift_id"], unique=False)
    op.create_table(
        "piket_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("given_by", sa.Text(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("assignee", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'cancelled')", name=op.f("ck_piket_orders_status")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_piket_orders_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["piket_shifts.id"], name=op.f("fk_piket_orders_shift_id_piket_shifts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_orders")),
    )
    op.create_index(
        op.f("ix_piket_orders_incident_id"), "piket_orders", ["incident_id"], unique=False
    )
    op.create_index(
        "ix_piket_orders_pending",
        "piket_orders",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(op.f("ix_piket_orders_shift_id"), "piket_orders", ["shift_id"], unique=False)
    op.create_table(
        "piket_shift_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rank", sa.Text(), nullable=False),
        sa.Column("nrp", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "position IN ('perwira', 'anggota')", name=op.f("ck_piket_shift_members_position")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["piket_shifts.id"],
            name=op.f("fk_piket_shift_members_shift_id_piket_shifts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_piket_shift_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_shift_members")),
        sa.UniqueConstraint("shift_id", "name", name="uq_piket_shift_members_name"),
    )
    op.create_index(
        op.f("ix_piket_shift_members_shift_id"), "piket_shift_members", ["shift_id"], unique=False
    )
    op.create_index(
        op.f("ix_piket_shift_members_user_id"), "piket_shift_members", ["user_id"], unique=False
    )
    op.create_table(
        "piket_order_actions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["piket_orders.id"],
            name=op.f("fk_piket_order_actions_order_id_piket_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piket_order_actions")),
    )
    op.create_index(
        op.f("ix_piket_order_actions_order_id"), "piket_order_actions", ["order_id"], unique=False
    )
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute(DROP_APPEND_ONLY)
    op.drop_index(op.f("ix_piket_order_actions_order_id"), table_name="piket_order_actions")
    op.drop_table("piket_order_actions")
    op.drop_index(op.f("ix_piket_shift_members_user_id"), table_name="piket_shift_members")
    op.drop_index(op.f("ix_piket_shift_members_shift_id"), table_name="piket_shift_members")
    op.drop_table("piket_shift_members")
    op.drop_index(op.f("ix_piket_orders_shift_id"), table_name="piket_orders")
    op.drop_index(
        "ix_piket_orders_pending",
        table_name="piket_orders",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index(op.f("ix_piket_orders_incident_id"), table_name="piket_orders")
    op.drop_table("piket_orders")
    op.drop_index(op.f("ix_piket_journal_shift_id"), table_name="piket_journal")
    op.drop_table("piket_journal")
    op.drop_index(
        "uq_piket_shifts_preparing",
        table_name="piket_shifts",
        postgresql_where=sa.text("status = 'preparing'"),
    )
    op.drop_index(
        "uq_piket_shifts_open",
        table_name="piket_shifts",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_piket_shifts_center_opened", table_name="piket_shifts")
    op.drop_table("piket_shifts")
    op.drop_index(
        "ix_piket_forwards_unacknowledged",
        table_name="piket_forwards",
        postgresql_where=sa.text("acknowledged_at IS NULL AND escalated_at IS NULL"),
    )
    op.drop_index(op.f("ix_piket_forwards_incident_id"), table_name="piket_forwards")
    op.drop_index("ix_piket_forwards_desk", table_name="piket_forwards")
    op.drop_table("piket_forwards")
    op.drop_table("piket_daily_reports")
