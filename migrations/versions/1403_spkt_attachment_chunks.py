"""Evidence files kept in 1 MiB chunks (a phone photo is several MB): uploads are stored and
downloads streamed a chunk at a time, never as one bytes object.

Revision ID: 1403
Revises: 1120
Create Date: 2026-12-03
"""

from alembic import op

revision = "1403"
down_revision = "1120"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE spkt_attachment_chunks (
    attachment_id integer NOT NULL
        CONSTRAINT fk_spkt_attachment_chunks_attachment_id_spkt_attachments
        REFERENCES spkt_attachments (id),
    seq integer NOT NULL,
    data bytea NOT NULL,
    CONSTRAINT pk_spkt_attachment_chunks PRIMARY KEY (attachment_id, seq)
);
-- Photos and PDFs are compressed already: store them out of line without trying again.
ALTER TABLE spkt_attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
INSERT INTO spkt_attachment_chunks (attachment_id, seq, data)
    SELECT id, 0, data FROM spkt_attachments;
ALTER TABLE spkt_attachments DROP COLUMN data;
CREATE TRIGGER spkt_attachment_chunks_append_only BEFORE UPDATE OR DELETE
    ON spkt_attachment_chunks FOR EACH ROW EXECUTE FUNCTION spkt_append_only();
"""

DOWNGRADE = """
ALTER TABLE spkt_attachments DISABLE TRIGGER spkt_attachments_append_only;
ALTER TABLE spkt_attachments ADD COLUMN data bytea;
UPDATE spkt_attachments a SET data = (
    SELECT string_agg(c.data, ''::bytea ORDER BY c.seq) FROM spkt_attachment_chunks c
    WHERE c.attachment_id = a.id
);
ALTER TABLE spkt_attachments ALTER COLUMN data SET NOT NULL;
ALTER TABLE spkt_attachments ENABLE TRIGGER spkt_attachments_append_only;
DROP TABLE spkt_attachment_chunks;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
