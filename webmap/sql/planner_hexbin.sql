-- Hexagons in Web Mercator (metres are close to true near the equator, where Indonesia is).
, m AS (SELECT ST_Transform(geom, 3857) AS g, response_s, verified_s, unverified_s, target_s
        FROM f),
hex AS (
    SELECT h.geom FROM (SELECT ST_SetSRID(ST_Extent(g)::geometry, 3857) AS box FROM m) e,
         ST_HexagonGrid(:size, e.box) h WHERE e.box IS NOT NULL
)
SELECT ST_AsGeoJSON(ST_Transform(hex.geom, 4326), 6) AS geometry, count(*) AS total,
       count(m.response_s) AS arrived, count(m.verified_s) AS arrived_verified,
       count(m.unverified_s) AS arrived_unverified,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY m.verified_s) AS p90_s
FROM hex JOIN m ON ST_Intersects(hex.geom, m.g)
GROUP BY hex.geom
