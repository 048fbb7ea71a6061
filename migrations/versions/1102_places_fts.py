"""Places: full-text (prefix) indexes beside the trigram ones, for all-words matches.

"rs kanujoso" -> every word a prefix of a word of "rumah sakit umum daerah dr kanujoso ...".
An area's search key includes what it is ("kecamatan balikpapan kota", "kelurahan klandasan
ilir"), so "kec balikpapan kota" finds the kecamatan before its office.

Revision ID: 1102
Revises: 1602
Create Date: 2026-12-03
"""

from alembic import op

revision = "1102"
down_revision = "1602"
branch_labels = None
depends_on = None

TABLES = ("street_names", "places", "admin_areas")


AREA_KEY = (
    "places_normalise(CASE WHEN level = 'kabkota' OR label = 'Prov.' THEN name "
    "ELSE label || ' ' || name END)"
)


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_admin_areas_trgm")
    op.execute("ALTER TABLE admin_areas DROP COLUMN name_norm")
    op.execute(
        f"ALTER TABLE admin_areas ADD COLUMN name_norm text GENERATED ALWAYS AS ({AREA_KEY}) STORED"
    )
    op.execute("CREATE INDEX ix_admin_areas_trgm ON admin_areas USING gin (name_norm gin_trgm_ops)")
    for table in TABLES:
        op.execute(
            f"CREATE INDEX ix_{table}_fts ON {table} "
            "USING gin (to_tsvector('simple'::regconfig, name_norm))"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_fts")
    op.execute("DROP INDEX IF EXISTS ix_admin_areas_trgm")
    op.execute("ALTER TABLE admin_areas DROP COLUMN name_norm")
    op.execute(
        "ALTER TABLE admin_areas ADD COLUMN name_norm text "
        "GENERATED ALWAYS AS (places_normalise(name)) STORED"
    )
    op.execute("CREATE INDEX ix_admin_areas_trgm ON admin_areas USING gin (name_norm gin_trgm_ops)")
