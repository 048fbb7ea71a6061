-- Units with their latest fix, the Polsek they are in now (ST_Covers; lowest id wins on a
-- shared border), and the incident of their active assignment.
SELECT u.id, u.call_sign, u.kind, u.status, u.home_jurisdiction_id, u.link_connected,
       ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, p.fixed_at,
       cur.id AS current_polsek_id, cur.name AS current_polsek, cur.parent_id AS current_polres_id,
       a.incident_id, a.status AS assignment_status,
       (a.alerted_at IS NOT NULL AND a.acked_at IS NULL) AS not_acknowledged
FROM units u
LEFT JOIN unit_positions_latest p ON p.unit_id = u.id
LEFT JOIN LATERAL (
    SELECT j.id, j.name, j.parent_id
    FROM jurisdictions j
    WHERE j.level = 'polsek' AND p.geom IS NOT NULL
      AND j.valid_from <= now() AND (j.valid_to IS NULL OR j.valid_to > now())
      AND ST_Covers(j.geom, p.geom)
    ORDER BY j.id
    LIMIT 1
) cur ON true
LEFT JOIN assignments a ON a.unit_id = u.id AND a.released_at IS NULL
WHERE CAST(:all_units AS boolean) OR u.home_jurisdiction_id = ANY(CAST(:ids AS integer[]))
ORDER BY u.call_sign
