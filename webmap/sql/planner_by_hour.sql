-- Incidents per hour of day in the incident's own zone (WIB/WITA/WIT).
SELECT EXTRACT(HOUR FROM call_received_at AT TIME ZONE tz_iana)::int AS hour,
       count(*) AS total, percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s) AS p90_s
FROM f GROUP BY 1 ORDER BY 1
