"""Tracker kinds, OwnTracks payload keys, and tracker events deduplicated within a window.

units.tracker_kind: 'siaga' trackers acknowledge jobs on MQTT; 'owntracks' and 'hardware'
trackers cannot, so their jobs go to the crew's phone page (tracking/trackers.py).
unit_tracker_keys: the passphrase an OwnTracks app seals its messages with (the ingest opens
them; kept apart from units so no unit listing ever selects it).
unit_events.dedup_key is no longer unique for all time: a repeated report with the same topic
and payload is a duplicate only within SIAGA_INGEST_EVENT_DEDUP_S (tracking/writer.py).

Revision ID: 1520
Revises: 1530
"""

import sqlalchemy as sa
from alembic import op

revision = "1520"
down_revision = "1530"
branch_labels = None
depends_on = None

DROP_DEDUP_UNIQUE = """
DO $$
DECLARE name text;
BEGIN
  FOR name IN SELECT conname FROM pg_constraint
              WHERE conrelid = 'unit_events'::regclass AND contype = 'u' LOOP
    EXECUTE format('ALTER TABLE unit_events DROP CONSTRAINT %I', name);
  END LOOP;
END $$
"""


def upgrade() -> None:
    op.add_column(
        "units",
        sa.Column("tracker_kind", sa.Text(), nullable=False, server_default="siaga"),
    )
    op.create_check_constraint(
        "tracker_kind", "units", "tracker_kind IN ('siaga', 'owntracks', 'hardware')"
    )
    op.create_table(
        "unit_tracker_keys",
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("owntracks_key", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("set_by", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("length(owntracks_key) BETWEEN 1 AND 32", name="owntracks_key"),
    )
    op.execute(DROP_DEDUP_UNIQUE)
    op.create_index("ix_unit_events_dedup_received", "unit_events", ["dedup_key", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_unit_events_dedup_received", table_name="unit_events")
    # Keep the newest row of each key so the old all-time unique constraint can return.
    op.execute(
        "DELETE FROM unit_events e USING unit_events n "
        "WHERE n.dedup_key = e.dedup_key AND n.id > e.id"
    )
    op.create_unique_constraint("uq_unit_events_dedup_key", "unit_events", ["dedup_key"])
    op.drop_table("unit_tracker_keys")
    op.drop_constraint(op.f("ck_units_tracker_kind"), "units", type_="check")
    op.drop_column("units", "tracker_kind")
