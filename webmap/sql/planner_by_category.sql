-- The same figures per category.
SELECT category,
    count(*) AS total,
    count(response_s) AS arrived,
    avg(CASE WHEN response_s <= target_s THEN 1.0 WHEN target_s IS NOT NULL
             AND response_s IS NOT NULL THEN 0.0 END) AS within_share,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s) AS median_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s) AS p90_s
FROM f GROUP BY category ORDER BY count(*) DESC
