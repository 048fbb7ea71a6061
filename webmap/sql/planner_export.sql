-- One row per incident of the period.
SELECT f.id, f.call_received_at, f.on_scene_at, f.category, f.priority, f.status, f.tz,
       ps.code AS polsek_code, ps.name AS polsek_name, f.target_s, f.response_s,
       f.on_scene_at IS NULL AS not_arrived, f.verified, f.location_description,
       ST_X(f.geom) AS lon, ST_Y(f.geom) AS lat
FROM f LEFT JOIN jurisdictions ps ON ps.id = f.polsek_id
ORDER BY f.call_received_at, f.id
