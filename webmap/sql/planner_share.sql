-- Every Polsek in scope with its share of incidents reached within target.
, s AS (SELECT polsek_id, 
    count(*) AS total,
    count(response_s) AS arrived,
    avg(CASE WHEN response_s <= target_s THEN 1.0 WHEN target_s IS NOT NULL
             AND response_s IS NOT NULL THEN 0.0 END) AS within_share,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s) AS median_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s) AS p90_s
 FROM f GROUP BY polsek_id)
SELECT j.id, j.code, j.name,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(j.geom, 0.00005), 6) AS geometry,
       COALESCE(s.total, 0) AS total, COALESCE(s.arrived, 0) AS arrived,
       s.within_share, s.median_s, s.p90_s
FROM jurisdictions j LEFT JOIN s ON s.polsek_id = j.id
WHERE j.level = 'polsek' AND j.valid_from <= now() AND (j.valid_to IS NULL OR j.valid_to > now())
  AND (CAST(:ids AS integer[]) IS NULL OR j.id = ANY(CAST(:ids AS integer[])))
ORDER BY j.code
