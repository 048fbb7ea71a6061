-- Incidents per hour of day in the incident's own zone (WIB/WITA/WIT).
SELECT EXTRACT(HOUR FROM call_received_at AT TIME ZONE tz_iana)::int AS hour,
       count(*) AS total, count(verified_s) AS arrived_verified,
       count(unverified_s) AS arrived_unverified,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY verified_s) AS p90_s
FROM f GROUP BY 1 ORDER BY 1
