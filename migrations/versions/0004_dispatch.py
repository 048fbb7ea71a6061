"""Dispatch: incidents, incident log (buku mutasi), assignments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

INCIDENT_TIMESTAMPS = (
    "validated_at",
    "offered_at",
    "accepted_at",
    "escalated_at",
    "dispatched_at",
    "acknowledged_at",
    "en_route_at",
    "on_scene_at",
    "cleared_at",
    "closed_at",
    "callback_at",
)

# The buku mutasi is append-only: the database itself refuses edits and deletions.
LOG_GUARD = """
CREATE FUNCTION incident_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER incident_log_append_only BEFORE UPDATE OR DELETE ON incident_log
    FOR EACH ROW EXECUTE FUNCTION incident_log_append_only();
"""


def _incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("caller_name", sa.Text(), nullable=False),
        sa.Column("caller_phone", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("address", sa.Text(), nullable=False, server_default=""),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(geometry_type="POINT", srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.Column("polda_id", sa.Integer(), sa.ForeignKey("jurisdictions.id"), nullable=True),
        sa.Column("polres_id", sa.Integer(), sa.ForeignKey("jurisdictions.id"), nullable=True),
        sa.Column("polsek_id", sa.Integer(), sa.ForeignKey("jurisdictions.id"), nullable=True),
        sa.Column("location_match", sa.Text(), nullable=False),
        sa.Column("response_target_s", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=True),
        sa.Column("validity", sa.Text(), nullable=False, server_default="pending"),
        sa.Column("duplicate_of_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True),
        sa.Column("status", sa.Text(), nullable=False, server_default="received"),
        sa.Column("handler_level", sa.Text(), nullable=False, server_default="polda"),
        sa.Column("accept_deadline", TS, nullable=True),
        sa.Column("call_received_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        *[sa.Column(name, TS, nullable=True) for name in INCIDENT_TIMESTAMPS],
        sa.Column("disposition", sa.Text(), nullable=True),
        sa.Column("callback_outcome", sa.Text(), nullable=True),
        sa.Column("callback_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False, server_default="operator"),
        sa.CheckConstraint(
            "channel IN ('telepon', 'sms', 'email', 'media_sosial')", name="channel"
        ),
        sa.CheckConstraint(
            "validity IN ('pending', 'valid', 'invalid', 'prank', 'duplicate')", name="validity"
        ),
        sa.CheckConstraint(
            "status IN ('received', 'offered', 'accepted', 'escalated', 'dispatched',"
            " 'on_scene', 'cleared', 'closed')",
            name="status",
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="priority"),
        sa.CheckConstraint("handler_level IN ('polda', 'polres')", name="handler"),
    )
    for column in ("caller_phone", "category", "status", "polda_id", "polres_id", "polsek_id"):
        op.create_index(f"ix_incidents_{column}", "incidents", [column])
    op.create_index("idx_incidents_geom", "incidents", ["geom"], postgresql_using="gist")
    # The worker's escalation query every second: only offers still waiting for the Polres.
    op.create_index(
        "ix_incidents_awaiting_accept",
        "incidents",
        ["accept_deadline"],
        postgresql_where=sa.text(
            "accepted_at IS NULL AND escalated_at IS NULL AND closed_at IS NULL"
        ),
    )
    op.create_index(
        "ix_incidents_open_created",
        "incidents",
        ["created_at"],
        postgresql_where=sa.text("closed_at IS NULL"),
    )


def _incident_log() -> None:
    op.create_table(
        "incident_log",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", postgresql.JSONB(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_incident_log_incident_id", "incident_log", ["incident_id"])
    op.execute(LOG_GUARD)


def _assignments() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=False, unique=True),
        sa.Column("status", sa.Text(), nullable=False, server_default="sent"),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("assigned_by", sa.Text(), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        sa.Column("last_sent_at", TS, nullable=False),
        sa.Column("send_count", sa.Integer(), nullable=False, server_default="1"),
        *[
            sa.Column(name, TS, nullable=True)
            for name in (
                "acked_at",
                "alerted_at",
                "en_route_at",
                "inside_since",
                "on_scene_at",
                "cleared_at",
                "released_at",
            )
        ],
        sa.Column("arrival_source", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('sent', 'acknowledged', 'en_route', 'on_scene', 'cleared', 'cancelled')",
            name="status",
        ),
    )
    op.create_index("ix_assignments_incident_id", "assignments", ["incident_id"])
    op.create_index("ix_assignments_unit_id", "assignments", ["unit_id"])
    # The database, not the application, guarantees one active assignment per unit.
    op.create_index(
        "uq_assignments_active_unit",
        "assignments",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("released_at IS NULL"),
    )


def upgrade() -> None:
    _incidents()
    _incident_log()
    _assignments()


def downgrade() -> None:
    op.drop_table("assignments")
    op.drop_table("incident_log")
    op.execute("DROP FUNCTION IF EXISTS incident_log_append_only()")
    op.drop_table("incidents")
