-- Totals, share within target and percentiles of the period (verified arrivals; unverified apart).
SELECT
-- @stats
    , array_remove(array_agg(DISTINCT tz), NULL) AS zones
FROM f
