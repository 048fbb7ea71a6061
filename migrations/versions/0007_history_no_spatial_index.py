"""Position history: no GiST index on geom.

Nothing reads the history by place: it is read by unit and time (the primary key), and the
live map, recommendations and arrival detection use unit_positions_latest, which keeps its GiST
index. Keeping a GiST index current for every stored fix cost the database about half of its
ingest work (bench/bench_ingest.py: 45 -> 22 µs of PostgreSQL CPU per fix). A planner who
needs spatial queries over past months indexes a closed month's partition, which no longer
takes writes, e.g.
    CREATE INDEX CONCURRENTLY ON unit_positions_y2026m10 USING gist (geom);

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS idx_unit_positions_geom")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS idx_unit_positions_geom ON unit_positions USING gist (geom)"
    )
