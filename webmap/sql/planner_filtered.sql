-- The incidents of a period within a scope; every planner query starts from this CTE.
-- Zones come as bound parameters from jurisdictions/timezones.py (names, IANA names, fallback).
-- The period is local days: an incident belongs to the day its call rang on in its own zone
-- (the coarse UTC bounds, widened by the zones' offsets, only let the index narrow the scan).
-- An arrival counts as verified only when GPS (or a fix agreeing with the crew) confirmed it;
-- verified_s and unverified_s split the response times so no figure mixes the two.
WITH zones AS (
    SELECT * FROM unnest(CAST(:zone_names AS text[]), CAST(:zone_ianas AS text[])) AS z(name, iana)
), f AS (
    SELECT i.id, i.category, i.priority, i.status, i.call_received_at, i.on_scene_at,
           COALESCE(z.name, :fallback_zone) AS tz,
           COALESCE(z.iana, :fallback_iana) AS tz_iana, i.geom, i.polsek_id, i.polres_id,
           i.response_target_s AS target_s, i.location_description,
           i.on_scene_at IS NOT NULL AND i.arrival_verified IS TRUE AS verified,
           EXTRACT(EPOCH FROM (i.on_scene_at - i.call_received_at)) AS response_s,
           CASE WHEN i.arrival_verified IS TRUE
                THEN EXTRACT(EPOCH FROM (i.on_scene_at - i.call_received_at)) END AS verified_s,
           CASE WHEN i.arrival_verified IS NOT TRUE
                THEN EXTRACT(EPOCH FROM (i.on_scene_at - i.call_received_at)) END AS unverified_s
    FROM incidents i LEFT JOIN zones z ON z.name = i.timezone
    WHERE i.call_received_at >= :start AND i.call_received_at < :end
      AND (i.call_received_at AT TIME ZONE COALESCE(z.iana, :fallback_iana))::date
          BETWEEN :first_day AND :last_day
      AND i.validity NOT IN ('invalid', 'prank', 'duplicate')
      AND (CAST(:ids AS integer[]) IS NULL
           OR i.polsek_id = ANY(CAST(:ids AS integer[]))
           OR i.polres_id = ANY(CAST(:ids AS integer[]))
           OR i.polda_id = ANY(CAST(:ids AS integer[])))
)
