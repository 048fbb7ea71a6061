"""Jurisdictions: Polda/Polres/Polsek polygons and their subdivided parts for fast lookups.

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
    op.create_index("ix_jurisdictions_in_force", "jurisdictions", ["level", "code", "valid_to"])
    _create_parts()


def _create_parts() -> None:
    # Small pieces (ST_Subdivide) of every jurisdiction: point-in-polygon on a few dozen
    # vertices instead of thousands, which keeps single lookups well under a millisecond.
    op.create_table(
        "jurisdiction_parts",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(geometry_type="POLYGON", srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name="fk_jurisdiction_parts_jurisdiction_id_jurisdictions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_jurisdiction_parts"),
    )
    op.create_index(
        "ix_jurisdiction_parts_jurisdiction_id", "jurisdiction_parts", ["jurisdiction_id"]
    )
    op.create_index(
        "idx_jurisdiction_parts_geom", "jurisdiction_parts", ["geom"], postgresql_using="gist"
    )
    # A trigger keeps the parts in step with every write to jurisdictions, whoever writes.
    op.execute(PARTS_SYNC_FUNCTION)
    op.execute(
        "CREATE TRIGGER jurisdiction_parts_sync AFTER INSERT OR UPDATE OF "
        "geom, level, code, valid_from, valid_to ON jurisdictions "
        "FOR EACH ROW EXECUTE FUNCTION jurisdiction_parts_sync()"
    )


PARTS_SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION jurisdiction_parts_sync() RETURNS trigger
LANGUAGE plpgsql
-- ST_Subdivide's row estimate would make every call JIT-compile (~50 ms per row).
SET jit = off
AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Dynamic SQL: a cached generic plan made on an empty table would scan every part.
        EXECUTE 'DELETE FROM jurisdiction_parts WHERE jurisdiction_id = $1' USING NEW.id;
    END IF;
    INSERT INTO jurisdiction_parts (jurisdiction_id, depth, code, valid_from, valid_to, geom)
    SELECT NEW.id,
           CASE NEW.level WHEN 'polda' THEN 1 WHEN 'polres' THEN 2 ELSE 3 END,
           NEW.code, NEW.valid_from, NEW.valid_to, (ST_Dump(piece)).geom
    FROM ST_Subdivide(NEW.geom, 64) AS piece;
    RETURN NULL;
END
$$
"""


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS jurisdiction_parts_sync ON jurisdictions")
    op.execute("DROP FUNCTION IF EXISTS jurisdiction_parts_sync()")
    op.drop_table("jurisdiction_parts")
    op.drop_table("jurisdictions")
