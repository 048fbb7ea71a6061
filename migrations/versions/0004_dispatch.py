"""Dispatch: incidents, assignments, log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled in by the dispatch issue; kept in the chain so revisions stay linear.
    pass


def downgrade() -> None:
    pass
