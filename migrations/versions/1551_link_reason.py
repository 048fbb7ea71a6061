"""Why a unit's tracker link is down, when Siaga decided it (tracking/link_freshness.py):
'no_fix', an HTTP tracker silent past SIAGA_TRACKER_HTTP_SILENCE_S. NULL otherwise (up, or a
will / offline report, which speaks for itself).

Revision ID: 1551
Revises: 1550
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "1551"
down_revision = "1550"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("units", sa.Column("link_reason", sa.Text(), nullable=True))
    op.create_check_constraint("link_reason", "units", "link_reason IN ('no_fix')")


def downgrade() -> None:
    op.drop_column("units", "link_reason")
