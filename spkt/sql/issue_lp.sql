-- Issue a Laporan Polisi in one statement: take the unit's next number, write the LP and its
-- STTLP, settle the report with the number, in its log and (for a 110 report) the incident's.
-- The counter row stays locked until the caller commits, so this runs last before COMMIT:
-- the lock is held for one round trip, not for the whole issue.
WITH seq AS (
    INSERT INTO spkt_number_sequences (jurisdiction_id, series, year, last_number)
    VALUES (:jurisdiction_id, :series, :year, 1)
    ON CONFLICT (jurisdiction_id, series, year)
    DO UPDATE SET last_number = spkt_number_sequences.last_number + 1
    RETURNING last_number
), num AS (
    SELECT last_number AS sequence, CAST(:prefix AS text) || last_number || :suffix AS number
    FROM seq
), docs AS (
    INSERT INTO spkt_documents (report_id, jurisdiction_id, kind, model, series, year, sequence,
        number, issued_at, issued_by, signer, content)
    SELECT :report_id, :jurisdiction_id, 'laporan_polisi', :model, :series, :year, sequence,
        number, :issued_at, :issued_by, CAST(:signer AS jsonb), CAST(:content AS jsonb)
    FROM num
    UNION ALL
    SELECT :report_id, :jurisdiction_id, 'sttlp', :model, 'STTLP', :year, NULL,
        'STTLP/' || substr(number, 4), :issued_at, :issued_by, CAST(:signer AS jsonb),
        CAST(:content AS jsonb)
            || jsonb_build_object('lp_number', number, 'title', CAST(:sttlp_title AS text))
    FROM num
    RETURNING *
), report AS (
    UPDATE spkt_reports SET lp_number = (SELECT number FROM num), status = 'lp_terbit',
        settled_at = :issued_at, next_sp2hp_due_at = :next_sp2hp_due_at
    WHERE id = :report_id
), event AS (
    INSERT INTO spkt_report_events (report_id, at, actor, role, action, message, public, detail)
    SELECT :report_id, :issued_at, :issued_by, :role, 'lp_terbit',
        CAST(:message AS text) || number, true,
        jsonb_build_object('number', number, 'model', CAST(:model AS text))
    FROM num
), incident AS (
    INSERT INTO incident_log (incident_id, at, actor, action, message, detail)
    SELECT :incident_id, :issued_at, :issued_by, 'spkt_lp_terbit',
        CAST(:message AS text) || number,
        jsonb_build_object('spkt_report_id', CAST(:report_id AS integer), 'number', number,
            'model', CAST(:model AS text))
    FROM num
    WHERE CAST(:incident_id AS integer) IS NOT NULL
)
SELECT * FROM docs ORDER BY kind
