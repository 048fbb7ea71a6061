"""Call signs without dots: the broker (nats-server 2.9's MQTT listener) refuses '.' in topics.

NOT VALID: rows that exist already are left as they are (their units need a new call sign to
report); every new or changed call sign is checked.

Revision ID: 1501
Revises: 1402
"""

from alembic import op

revision = "1501"
down_revision = "1402"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE units DROP CONSTRAINT ck_units_call_sign")
    op.execute(
        "ALTER TABLE units ADD CONSTRAINT ck_units_call_sign "
        "CHECK (call_sign ~ '^[A-Za-z0-9_-]{1,64}$') NOT VALID"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE units DROP CONSTRAINT ck_units_call_sign")
    op.execute(
        "ALTER TABLE units ADD CONSTRAINT ck_units_call_sign "
        "CHECK (call_sign ~ '^[A-Za-z0-9_.-]{1,64}$')"
    )
