-- The buku mutasi of one shift: its manual entries, and every event of an incident of the
-- centre (its Polda or its Polres) logged while the shift was on duty; oldest first.
WITH shift AS (
    SELECT id, center_id, opened_at, COALESCE(closed_at, 'infinity'::timestamptz) AS until
    FROM piket_shifts WHERE id = :shift_id
)
SELECT 'manual' AS source, j.id, j.at, j.actor, j.kind AS action, j.message, j.incident_id
FROM piket_journal j JOIN shift s ON j.shift_id = s.id
UNION ALL
SELECT 'incident', l.id, l.at, l.actor, l.action, l.message, l.incident_id
FROM shift s
JOIN incident_log l ON l.at >= s.opened_at AND l.at < s.until
JOIN incidents i ON i.id = l.incident_id
WHERE i.polda_id = s.center_id OR i.polres_id = s.center_id
ORDER BY at, source, id
