"""Security: users, roles, unit credentials.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled in by the security issue; kept in the chain so revisions stay linear.
    pass


def downgrade() -> None:
    pass
