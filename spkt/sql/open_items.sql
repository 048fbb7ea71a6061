-- Everything not yet settled, with the jurisdiction that answers for it and its deadline:
-- SPKT reports not settled, valid 110 incidents still open, and 110 incidents closed as
-- "laporan polisi" that no SPKT desk has received, and forwards to a function not yet answered.
SELECT 'spkt' AS source, r.id AS ref_id, r.number AS label, r.kind AS kind,
       r.jurisdiction_id, r.received_at AS opened_at, r.due_at
FROM spkt_reports r
WHERE r.settled_at IS NULL
UNION ALL
SELECT '110', i.id, '110 #' || i.id, i.category,
       COALESCE(i.polsek_id, i.polres_id, i.polda_id), i.call_received_at,
       i.call_received_at + make_interval(secs => :incident_deadline_s)
FROM incidents i
WHERE i.validity = 'valid' AND i.closed_at IS NULL
UNION ALL
SELECT '110_handover', i.id, '110 #' || i.id, i.category,
       COALESCE(i.polsek_id, i.polres_id, i.polda_id), i.call_received_at,
       i.closed_at + make_interval(secs => :handover_deadline_s)
FROM incidents i
WHERE i.disposition = 'laporan_polisi'
  AND NOT EXISTS (SELECT 1 FROM spkt_reports r WHERE r.incident_id = i.id)
UNION ALL
SELECT '110_forward', f.id, '110 #' || f.incident_id || ' > ' || f.function_code, f.function_code,
       f.jurisdiction_id, f.forwarded_at,
       f.forwarded_at + make_interval(secs => :forward_deadline_s)
FROM piket_forwards f
WHERE f.result_at IS NULL
