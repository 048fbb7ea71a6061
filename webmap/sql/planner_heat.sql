-- Heat weight: response time relative to the target, capped at twice the target; only arrivals
-- GPS confirmed (an unverified time could be anything and would paint a false picture).
SELECT ST_Y(geom) AS lat, ST_X(geom) AS lon,
       LEAST(COALESCE(verified_s / NULLIF(target_s, 0), 1.0), 2.0) / 2.0 AS weight
FROM f WHERE verified_s IS NOT NULL
