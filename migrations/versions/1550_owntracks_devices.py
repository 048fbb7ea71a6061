"""OwnTracks devices: the Device ID a unit's OwnTracks app publishes under
(owntracks/unit-<CS>/<device>), so that a new job reaches the app on its /cmd topic.

Revision ID: 1550
Revises: 1121
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "1550"
down_revision = "1121"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_owntracks_devices",
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # The broker refuses dots in topics; the app's Device ID is one topic level.
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column(
            "set_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("set_by", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("device ~ '^[A-Za-z0-9_-]{1,64}$'", name="device"),
    )


def downgrade() -> None:
    op.drop_table("unit_owntracks_devices")
