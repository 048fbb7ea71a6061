"""Units' tracker alarms (SOS): one row per alert, its reports (tracking events), who
acknowledged it and when (dispatch/alarms.py).

Revision ID: 1560
Revises: 1551
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "1560"
down_revision = "1551"
branch_labels = None
depends_on = None


def _timestamp(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)


def upgrade() -> None:
    op.create_table(
        "unit_alarms",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),  # fmt: skip
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _timestamp("raised_at", nullable=False),
        _timestamp("last_reported_at", nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=True),
        _timestamp("fixed_at", nullable=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("incidents.id", ondelete="SET NULL"),
            nullable=True,
        ),  # fmt: skip
        sa.Column(
            "assignment_id",
            sa.Integer(),
            sa.ForeignKey("assignments.id", ondelete="SET NULL"),
            nullable=True,
        ),  # fmt: skip
        _timestamp("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('sos')", name="kind"),
        sa.CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by IS NULL)", name="acknowledged"
        ),
    )
    op.create_index("ix_unit_alarms_geom", "unit_alarms", ["geom"], postgresql_using="gist")
    op.create_index(
        "ix_unit_alarms_open", "unit_alarms", ["raised_at"],
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )  # fmt: skip
    op.create_table(
        "unit_alarm_reports",
        sa.Column(
            "event_id",
            sa.BigInteger(),
            sa.ForeignKey("unit_events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "alarm_id",
            sa.BigInteger(),
            sa.ForeignKey("unit_alarms.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),  # fmt: skip
    )
    # The dispatch worker looks for SOS events not yet turned into an alert.
    op.create_index(
        "ix_unit_events_sos", "unit_events", ["id"],
        postgresql_where=sa.text("kind = 'status' AND status = 'sos'"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_unit_events_sos", table_name="unit_events")
    op.drop_table("unit_alarm_reports")
    op.drop_table("unit_alarms")
