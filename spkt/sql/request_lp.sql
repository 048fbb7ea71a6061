-- Step 1 of an LP's issue (spkt/laporan_polisi.py), one round trip: the LP with everything
-- but its number, waiting for spkt_number_lp(), and its report settled as lp_terbit.
WITH settle AS (
    UPDATE spkt_reports
    SET status = 'lp_terbit', settled_at = :issued_at, next_sp2hp_due_at = :next_sp2hp_due_at
    WHERE id = :report_id
)
INSERT INTO spkt_lp_requests (report_id, jurisdiction_id, model, series, year, prefix, suffix,
    issued_at, issued_by, role, signer, content, sttlp_content, message, incident_id,
    next_sp2hp_due_at)
VALUES (:report_id, :jurisdiction_id, :model, :series, :year, :prefix, :suffix, :issued_at,
    :issued_by, :role, :signer, :content, :sttlp_content, :message, :incident_id,
    :next_sp2hp_due_at)
RETURNING *
