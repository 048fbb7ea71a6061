"""The database refuses a unit crew that is not a JSON array (a stored null broke every list).

Revision ID: 1601
Revises: 1301
Create Date: 2026-12-03
"""

from alembic import op

revision = "1601"
down_revision = "1301"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before the check (a JSON null, an object) become an empty crew list.
    op.execute("UPDATE units SET crew = '[]'::jsonb WHERE jsonb_typeof(crew) <> 'array'")
    op.create_check_constraint("crew", "units", "jsonb_typeof(crew) = 'array'")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_units_crew"), "units", type_="check")
