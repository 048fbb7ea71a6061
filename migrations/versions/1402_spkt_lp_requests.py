"""LP numbers taken in batches after the issue commits: pending LP requests and the numbering
function (spkt/laporan_polisi.py says why).

A desk commits its LP as a pending request (everything but the number), then calls
spkt_number_lps(): under one advisory lock per issuing unit, series and year, it numbers
every committed pending request of that key in request order, writes the LPs, STTLPs, report
settlements and logs, and deletes the requests, in one statement with a fresh snapshot. The
lock is held for that statement and the commit only, and one holder numbers for all desks
waiting behind it; a waiter whose request was numbered meanwhile never takes the lock.
Numbers stay gapless: a request is committed before it is numbered, and a numbering that
rolls back leaves its requests pending for the next one.

Revision ID: 1402
Revises: 1604
Create Date: 2026-12-03
"""

from alembic import op

revision = "1402"
down_revision = "1604"
branch_labels = None
depends_on = None

TABLE = """
CREATE TABLE spkt_lp_requests (
    id bigserial CONSTRAINT pk_spkt_lp_requests PRIMARY KEY,
    report_id integer NOT NULL CONSTRAINT uq_spkt_lp_requests_report_id UNIQUE
        CONSTRAINT fk_spkt_lp_requests_report_id_spkt_reports REFERENCES spkt_reports (id),
    jurisdiction_id integer NOT NULL
        CONSTRAINT fk_spkt_lp_requests_jurisdiction_id_jurisdictions REFERENCES jurisdictions (id),
    model text NOT NULL CONSTRAINT ck_spkt_lp_requests_model CHECK (model IN ('A', 'B')),
    series text NOT NULL,
    year integer NOT NULL,
    prefix text NOT NULL,
    suffix text NOT NULL,
    issued_at timestamptz NOT NULL,
    issued_by text NOT NULL,
    role text,
    signer jsonb NOT NULL,
    content jsonb NOT NULL,
    sttlp_content jsonb NOT NULL,
    message text NOT NULL,
    incident_id integer,
    next_sp2hp_due_at timestamptz NOT NULL
);
CREATE INDEX ix_spkt_lp_requests_key ON spkt_lp_requests (jurisdiction_id, series, year, id);
"""

FUNCTION = """
CREATE FUNCTION spkt_number_lps(p_jurisdiction_id integer, p_series text, p_year integer,
    p_request_id bigint DEFAULT NULL)
RETURNS TABLE (report_id integer, number text) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    k integer := hashtext('spkt:' || p_series || ':' || p_year);
BEGIN
    IF p_request_id IS NULL THEN  -- a sweep: wait for the lock, number what is pending
        PERFORM pg_advisory_xact_lock(p_jurisdiction_id, k);
    ELSE
        -- A desk with its own request: it numbers only if nobody else is numbering. Else it
        -- waits (shared, released at once) for that numbering to commit and looks again, so
        -- a desk whose LP was numbered by another never holds the lock at all.
        LOOP
            IF NOT EXISTS (SELECT 1 FROM spkt_lp_requests r WHERE r.id = p_request_id) THEN
                RETURN;
            END IF;
            EXIT WHEN pg_try_advisory_xact_lock(p_jurisdiction_id, k);
            PERFORM pg_advisory_lock_shared(p_jurisdiction_id, k);
            PERFORM pg_advisory_unlock_shared(p_jurisdiction_id, k);
        END LOOP;
    END IF;
    -- A new statement after the lock: its snapshot sees every request committed until now.
    RETURN QUERY
    WITH pending AS (
        SELECT r.*, row_number() OVER (ORDER BY r.id) AS rn, count(*) OVER () AS n
        FROM spkt_lp_requests r
        WHERE r.jurisdiction_id = p_jurisdiction_id AND r.series = p_series AND r.year = p_year
    ), seq AS (
        INSERT INTO spkt_number_sequences (jurisdiction_id, series, year, last_number)
        SELECT p_jurisdiction_id, p_series, p_year, count(*) FROM pending HAVING count(*) > 0
        ON CONFLICT (jurisdiction_id, series, year)
        DO UPDATE SET last_number = spkt_number_sequences.last_number + EXCLUDED.last_number
        RETURNING last_number
    ), num AS (
        SELECT p.*, (seq.last_number - p.n + p.rn)::integer AS sequence,
            p.prefix || (seq.last_number - p.n + p.rn) || p.suffix AS lp_number
        FROM pending p CROSS JOIN seq
    ), docs AS (
        INSERT INTO spkt_documents (report_id, jurisdiction_id, kind, model, series, year,
            sequence, number, issued_at, issued_by, signer, content)
        SELECT report_id, jurisdiction_id, 'laporan_polisi', model, series, year, sequence,
            lp_number, issued_at, issued_by, signer, content
        FROM num
        UNION ALL
        SELECT report_id, jurisdiction_id, 'sttlp', model, 'STTLP', year, NULL,
            'STTLP/' || substr(lp_number, 4), issued_at, issued_by, signer,
            sttlp_content || jsonb_build_object('lp_number', lp_number)
        FROM num
    ), settle AS (
        UPDATE spkt_reports r SET lp_number = num.lp_number, status = 'lp_terbit',
            settled_at = num.issued_at, next_sp2hp_due_at = num.next_sp2hp_due_at
        FROM num WHERE r.id = num.report_id
    ), event AS (
        INSERT INTO spkt_report_events (report_id, at, actor, role, action, message, public,
            detail)
        SELECT report_id, issued_at, issued_by, role, 'lp_terbit', message || lp_number, true,
            jsonb_build_object('number', lp_number, 'model', model)
        FROM num
    ), incident AS (
        INSERT INTO incident_log (incident_id, at, actor, action, message, detail)
        SELECT incident_id, issued_at, issued_by, 'spkt_lp_terbit', message || lp_number,
            jsonb_build_object('spkt_report_id', report_id, 'number', lp_number, 'model', model)
        FROM num
        WHERE incident_id IS NOT NULL
    ), done AS (
        DELETE FROM spkt_lp_requests WHERE id IN (SELECT id FROM num)
    )
    SELECT num.report_id, num.lp_number FROM num ORDER BY num.id;
END $$;
"""


def upgrade() -> None:
    op.execute(TABLE)
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION spkt_number_lps(integer, text, integer, bigint)")
    op.execute("DROP TABLE spkt_lp_requests")
