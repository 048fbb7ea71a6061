"""Tracking: units, positions (latest + partitioned history), tracker events, ingest counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = (
    "('available', 'dispatched', 'en_route', 'on_scene', 'returning', 'off_duty', 'out_of_service')"
)

# Monthly partitions of unit_positions are created by this function (the ingest worker calls
# it at start-up and daily); rows outside every partition land in the default partition.
ENSURE_PARTITION_FN = """
CREATE OR REPLACE FUNCTION ensure_unit_positions_partition(month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    part text := 'unit_positions_y' || to_char(first_day, 'YYYY')
                 || 'm' || to_char(first_day, 'MM');
BEGIN
    IF to_regclass(part) IS NULL THEN
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF unit_positions FOR VALUES FROM (%L) TO (%L)',
            part, first_day::timestamptz, (first_day + interval '1 month')::timestamptz
        );
    END IF;
    RETURN part;
END $$;
"""


def _timestamp(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)


def _point() -> sa.Column:
    return sa.Column(
        "geom",
        geoalchemy2.types.Geometry(geometry_type="POINT", srid=4326, spatial_index=False),
        nullable=False,
    )


def _create_units() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sign", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("home_jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("crew", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("status", sa.Text(), nullable=False, server_default="available"),
        _timestamp("status_changed_at", nullable=False, server_default=sa.func.now()),
        sa.Column("link_connected", sa.Boolean(), nullable=False, server_default=sa.false()),
        _timestamp("link_changed_at", nullable=True),
        _timestamp("created_at", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('R4', 'R2', 'boat', 'other')", name="kind"),
        sa.CheckConstraint("status IN " + STATUSES, name="status"),
        sa.CheckConstraint("call_sign ~ '^[A-Za-z0-9_.-]{1,64}$'", name="call_sign"),
        sa.ForeignKeyConstraint(["home_jurisdiction_id"], ["jurisdictions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sign"),
    )
    op.create_index("ix_units_home_jurisdiction_id", "units", ["home_jurisdiction_id"])
    op.create_index("ix_units_status", "units", ["status"])


def _create_positions() -> None:
    op.create_table(
        "unit_positions_latest",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _point(),
        _timestamp("fixed_at", nullable=False),
        _timestamp("received_at", nullable=False),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id"),
    )
    op.create_index(
        "idx_unit_positions_latest_geom", "unit_positions_latest", ["geom"], postgresql_using="gist"
    )
    # History: no foreign key (a per-row check costs ingest throughput; delete_unit removes
    # a unit's rows); the primary key absorbs a duplicate delivery of the same fix.
    op.create_table(
        "unit_positions",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _timestamp("fixed_at", nullable=False),
        _timestamp("received_at", nullable=False),
        _point(),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "fixed_at"),
        postgresql_partition_by="RANGE (fixed_at)",
    )
    op.create_index("idx_unit_positions_geom", "unit_positions", ["geom"], postgresql_using="gist")
    op.execute("CREATE TABLE unit_positions_default PARTITION OF unit_positions DEFAULT")
    op.execute(ENSURE_PARTITION_FN)
    op.execute(
        "SELECT ensure_unit_positions_partition((date_trunc('month', now()) + m * interval "
        "'1 month')::date) FROM generate_series(-1, 2) AS m"
    )


def _create_events() -> None:
    op.create_table(
        "unit_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        _timestamp("received_at", nullable=False),
        # md5 of topic and raw payload: a redelivered message is stored once.
        sa.Column("dedup_key", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('ack', 'status')", name="kind"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key"),
    )
    op.create_index("ix_unit_events_unit_received", "unit_events", ["unit_id", "received_at"])
    op.create_index("ix_unit_events_job_id", "unit_events", ["job_id"])
    op.create_table(
        "unit_status_changes",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.Text(), nullable=False),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("actor", sa.Text(), nullable=False),
        _timestamp("changed_at", nullable=False, server_default=sa.func.now()),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unit_status_changes_unit_id", "unit_status_changes", ["unit_id"])
    op.create_table(
        "ingest_reject_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("day", "reason"),
    )


def upgrade() -> None:
    _create_units()
    _create_positions()
    _create_events()


def downgrade() -> None:
    op.drop_table("ingest_reject_counts")
    op.drop_table("unit_status_changes")
    op.drop_table("unit_events")
    op.drop_table("unit_positions")
    op.execute("DROP FUNCTION IF EXISTS ensure_unit_positions_partition(date)")
    op.drop_table("unit_positions_latest")
    op.drop_table("units")
