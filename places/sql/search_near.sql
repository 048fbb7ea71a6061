-- "B near A" ("jl sudirman depan bank mandiri") in one round trip: the best match of the
-- anchor A, the matches of B nearest it ('near'), and the matches of B nearest the map
-- centre ('centre'). Bound: :anchor, :landmark, :lon, :lat, :scope, :limit, :near_limit,
-- :few_names, :nearest_names.
WITH anchor AS (
    SELECT a.name, a.lon, a.lat
    FROM places_search(:anchor, CAST(:lon AS float8), CAST(:lat AS float8),
                       CAST(:scope AS int[]), 1, :few_names, :nearest_names) a
)
SELECT * FROM (
    SELECT 'near' AS list, anchor.name AS near_name, r.*
    FROM anchor CROSS JOIN LATERAL places_search(:landmark, anchor.lon, anchor.lat,
                                                 CAST(:scope AS int[]), :near_limit,
                                                 :few_names, :nearest_names) r
    UNION ALL
    SELECT 'centre', NULL, r.*
    FROM places_search(:landmark, CAST(:lon AS float8), CAST(:lat AS float8),
                       CAST(:scope AS int[]), :limit, :few_names, :nearest_names) r
) lists
ORDER BY list = 'centre', "position"
