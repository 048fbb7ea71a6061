"""HTTP trackers: Traccar Client devices (OsmAnd protocol) and devices a Traccar server forwards,
each tied to one unit.

Revision ID: 1530
Revises: 1605
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "1530"
down_revision = "1605"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "tracker_devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("protocol", sa.Text(), nullable=False),
        # osmand: SHA-256 of the identifier Siaga issued (a secret); traccar: Traccar's uniqueId.
        sa.Column("device_key", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False, server_default=""),
        sa.Column("issued_at", ts, nullable=False, server_default=sa.func.now()),
        sa.Column("issued_by", sa.Text(), nullable=False, server_default=""),
        sa.Column("revoked_at", ts),
        sa.CheckConstraint("protocol IN ('osmand', 'traccar')", name="protocol"),
    )
    # One active device per key: a uniqueId names one unit at a time.
    op.create_index(
        "uq_tracker_devices_active_key",
        "tracker_devices",
        ["protocol", "device_key"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("tracker_devices")
