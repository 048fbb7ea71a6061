-- Every Polsek in scope with its share of incidents reached within target (verified arrivals).
, s AS (SELECT polsek_id,
-- @stats
 FROM f GROUP BY polsek_id)
SELECT j.id, j.code, j.name,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(j.geom, 0.00005), 6) AS geometry,
       COALESCE(s.total, 0) AS total, COALESCE(s.arrived, 0) AS arrived,
       COALESCE(s.arrived_verified, 0) AS arrived_verified,
       COALESCE(s.arrived_unverified, 0) AS arrived_unverified,
       s.within_share, s.median_s, s.p90_s,
       s.unverified_within_share, s.unverified_median_s, s.unverified_p90_s
FROM jurisdictions j LEFT JOIN s ON s.polsek_id = j.id
WHERE j.level = 'polsek' AND j.valid_from <= now() AND (j.valid_to IS NULL OR j.valid_to > now())
  AND (CAST(:ids AS integer[]) IS NULL OR j.id = ANY(CAST(:ids AS integer[])))
ORDER BY j.code
