    count(*) AS total,
    count(response_s) AS arrived,
    count(verified_s) AS arrived_verified,
    count(unverified_s) AS arrived_unverified,
    avg(CASE WHEN verified_s <= target_s THEN 1.0 WHEN target_s IS NOT NULL
             AND verified_s IS NOT NULL THEN 0.0 END) AS within_share,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY verified_s) AS median_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY verified_s) AS p90_s,
    avg(CASE WHEN unverified_s <= target_s THEN 1.0 WHEN target_s IS NOT NULL
             AND unverified_s IS NOT NULL THEN 0.0 END) AS unverified_within_share,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY unverified_s) AS unverified_median_s,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY unverified_s) AS unverified_p90_s
