"""A desk's LP number in one statement: spkt_number_lp() numbers the request (with every other
pending one of its key, spkt_number_lps() of 1402) and answers with the report's LP and STTLP.

Before, the desk called spkt_number_lps() and then read its documents and its report in two
more round trips, all while holding the key's advisory lock (it is held until the commit), so
every desk behind it waited for those reads too. Now the lock is held for this one statement
and the commit that follows it.

Revision ID: 1405
Revises: 1520
Create Date: 2026-12-04
"""

from alembic import op

revision = "1405"
down_revision = "1520"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION spkt_number_lp(p_request_id bigint, p_report_id integer)
RETURNS SETOF spkt_documents LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    pending spkt_lp_requests%ROWTYPE;
BEGIN
    SELECT * INTO pending FROM spkt_lp_requests r WHERE r.id = p_request_id;
    IF FOUND THEN  -- not numbered yet by another desk (its numbering committed before now)
        PERFORM spkt_number_lps(pending.jurisdiction_id, pending.series, pending.year,
            p_request_id);
    END IF;
    -- A new statement: its snapshot sees the LP whichever desk numbered it.
    RETURN QUERY
    SELECT d.* FROM spkt_documents d
    WHERE d.report_id = p_report_id AND d.kind IN ('laporan_polisi', 'sttlp')
        AND d.corrects_id IS NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION spkt_number_lp(bigint, integer)")
