"""SPKT signing officials beside the accountable ones: KA SPKT and the heads of its three piket
shifts (KA SIAGA I-III) are recorded per jurisdiction like the Kapolres.

Revision ID: 1404
Revises: 1403
Create Date: 2026-12-03
"""

from alembic import op

revision = "1404"
down_revision = "1403"
branch_labels = None
depends_on = None

ALL = "'kapolda', 'kapolres', 'kapolsek', 'ka_spkt', 'ka_siaga_1', 'ka_siaga_2', 'ka_siaga_3'"
ACCOUNTABLE = "'kapolda', 'kapolres', 'kapolsek'"


def _check(positions: str) -> None:
    op.execute(
        "ALTER TABLE jurisdiction_officials DROP CONSTRAINT ck_jurisdiction_officials_position"
    )
    op.execute(
        "ALTER TABLE jurisdiction_officials ADD CONSTRAINT ck_jurisdiction_officials_position "
        f"CHECK (position IN ({positions}))"
    )


def upgrade() -> None:
    _check(ALL)
    op.execute(
        "CREATE INDEX ix_jurisdiction_officials_current ON jurisdiction_officials "
        "(jurisdiction_id, position) WHERE until IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_jurisdiction_officials_current")
    op.execute(
        "DELETE FROM jurisdiction_officials "
        "WHERE position NOT IN ('kapolda', 'kapolres', 'kapolsek')"
    )
    _check(ACCOUNTABLE)
