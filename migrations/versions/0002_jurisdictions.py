"""Jurisdictions: Polda/Polres/Polsek polygons.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jurisdictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("admin_codes", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("response_target_s", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=True),
        sa.Column(
            "valid_from",
            sa.DateTime(timezone=True),
            server_default=sa.text("to_timestamp(0)"),
            nullable=False,
        ),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON", srid=4326, spatial_index=False
            ),
            nullable=False,
        ),
        sa.CheckConstraint("level IN ('polda', 'polres', 'polsek')", name="level"),
        sa.CheckConstraint("timezone IS NULL OR timezone IN ('WIB', 'WITA', 'WIT')", name="tz"),
        sa.CheckConstraint("response_target_s IS NULL OR response_target_s > 0", name="target"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
        sa.ForeignKeyConstraint(["parent_id"], ["jurisdictions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_jurisdictions_code", "jurisdictions", ["code"])
    op.create_index("ix_jurisdictions_level", "jurisdictions", ["level"])
    op.create_index("ix_jurisdictions_parent_id", "jurisdictions", ["parent_id"])
    op.create_index("idx_jurisdictions_geom", "jurisdictions", ["geom"], postgresql_using="gist")


def downgrade() -> None:
    op.drop_table("jurisdictions")
