-- Heat weight: response time relative to the target, capped at twice the target.
SELECT ST_Y(geom) AS lat, ST_X(geom) AS lon,
       LEAST(COALESCE(response_s / NULLIF(target_s, 0), 1.0), 2.0) / 2.0 AS weight
FROM f WHERE response_s IS NOT NULL
