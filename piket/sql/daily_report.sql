-- The figures of a command centre's daily report, as one JSON object, in one round trip.
-- :center_id is a Polda or Polres; the period is [:start, :end); states "at the end" are as
-- they stood at :end, so a report generated again later tells the same story.
WITH period AS (
    SELECT * FROM incidents
    WHERE (polda_id = :center_id OR polres_id = :center_id)
      AND call_received_at >= :start AND call_received_at < :end
),
valid AS (SELECT * FROM period WHERE validity = 'valid'),
-- Response figures are those of GPS-verified arrivals; arrivals only a crew reported are
-- counted and measured apart, so a claimed arrival is never counted as within target.
measured AS (
    SELECT EXTRACT(EPOCH FROM on_scene_at - call_received_at)::float8 AS response_s,
           response_target_s, arrival_verified IS TRUE AS verified
    FROM valid WHERE on_scene_at IS NOT NULL AND on_scene_at < :end
),
center_incidents AS (
    SELECT id, created_at, closed_at, category, call_received_at, location_description
    FROM incidents
    WHERE polda_id = :center_id OR polres_id = :center_id
),
fwd AS (
    SELECT f.* FROM piket_forwards f JOIN center_incidents i ON i.id = f.incident_id
    WHERE f.forwarded_at < :end
),
counted AS (
    SELECT 'channel' AS what, channel AS key, count(*) AS n FROM period GROUP BY channel
    UNION ALL SELECT 'validity', validity, count(*) FROM period GROUP BY validity
    UNION ALL SELECT 'category', category, count(*) FROM valid GROUP BY category
)
SELECT jsonb_build_object(
    'calls', (SELECT count(*) FROM period),
    'by_channel', (SELECT COALESCE(jsonb_object_agg(key, n), '{}') FROM counted
                   WHERE what = 'channel'),
    'by_validity', (SELECT COALESCE(jsonb_object_agg(key, n), '{}') FROM counted
                    WHERE what = 'validity'),
    'by_category', (SELECT COALESCE(jsonb_object_agg(key, n), '{}') FROM counted
                    WHERE what = 'category'),
    'by_polres', (
        SELECT COALESCE(jsonb_agg(jsonb_build_object('id', c.id, 'name', j.name, 'count', c.n)
                                  ORDER BY c.n DESC, j.name), '[]')
        FROM (SELECT polres_id AS id, count(*) AS n FROM valid GROUP BY polres_id) c
        LEFT JOIN jurisdictions j ON j.id = c.id),
    'by_polsek', (
        SELECT COALESCE(jsonb_agg(jsonb_build_object('id', c.id, 'name', j.name, 'count', c.n)
                                  ORDER BY c.n DESC, j.name), '[]')
        FROM (SELECT polsek_id AS id, count(*) AS n FROM valid GROUP BY polsek_id) c
        LEFT JOIN jurisdictions j ON j.id = c.id),
    'response', (
        SELECT jsonb_build_object(
            'measured', count(*),
            'verified', count(*) FILTER (WHERE verified),
            'unverified', count(*) FILTER (WHERE NOT verified),
            'median_s', percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s)
                        FILTER (WHERE verified),
            'p90_s', percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s)
                     FILTER (WHERE verified),
            'with_target', count(response_target_s) FILTER (WHERE verified),
            'within_target', count(*) FILTER (WHERE verified
                                              AND response_s <= response_target_s),
            'unverified_median_s', percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s)
                                   FILTER (WHERE NOT verified),
            'unverified_within_target', count(*) FILTER (WHERE NOT verified
                                                         AND response_s <= response_target_s))
        FROM measured),
    'escalated_to_polda', (SELECT count(*) FROM period
                           WHERE escalated_at IS NOT NULL AND escalated_at < :end),
    'forwards', (
        SELECT jsonb_build_object(
            'total', count(*),
            'acknowledged', count(*) FILTER (WHERE acknowledged_at < :end),
            'done', count(*) FILTER (WHERE result_at < :end),
            'escalated', count(*) FILTER (WHERE escalated_at < :end),
            'by_function', COALESCE((
                SELECT jsonb_object_agg(function_code, n)
                FROM (SELECT function_code, count(*) AS n FROM fwd
                      WHERE forwarded_at >= :start GROUP BY function_code) x), '{}'))
        FROM fwd WHERE forwarded_at >= :start),
    'open_at_end', jsonb_build_object(
        'incidents', (SELECT count(*) FROM center_incidents
                      WHERE created_at < :end AND (closed_at IS NULL OR closed_at >= :end)),
        'orders', (SELECT count(*) FROM piket_orders o JOIN center_incidents i
                       ON i.id = o.incident_id
                   WHERE o.given_at < :end AND (o.done_at IS NULL OR o.done_at >= :end)),
        'forwards', (SELECT count(*) FROM fwd WHERE result_at IS NULL OR result_at >= :end)),
    'open_incidents', (
        SELECT COALESCE(jsonb_agg(jsonb_build_object(
            'id', id, 'category', category, 'call_received_at', call_received_at,
            'location_description', location_description) ORDER BY call_received_at, id), '[]')
        FROM center_incidents
        WHERE created_at < :end AND (closed_at IS NULL OR closed_at >= :end)),
    'shifts', (
        SELECT COALESCE(jsonb_agg(jsonb_build_object(
            'id', s.id, 'opened_at', s.opened_at, 'closed_at', s.closed_at,
            'perwira', (SELECT concat_ws(' ', NULLIF(m.rank, ''), m.name)
                        FROM piket_shift_members m
                        WHERE m.shift_id = s.id AND m.position = 'perwira' LIMIT 1),
            'members', (SELECT COALESCE(jsonb_agg(concat_ws(' ', NULLIF(m.rank, ''), m.name)
                                                  ORDER BY m.id), '[]')
                        FROM piket_shift_members m
                        WHERE m.shift_id = s.id AND m.position = 'anggota'),
            'missing_checks', (SELECT count(*) FROM jsonb_array_elements(s.checklist) c
                               WHERE NOT (c ->> 'ok')::boolean)
        ) ORDER BY s.opened_at), '[]')
        FROM piket_shifts s
        WHERE s.center_id = :center_id AND s.opened_at < :end
          AND (s.closed_at IS NULL OR s.closed_at > :start))
) AS figures
