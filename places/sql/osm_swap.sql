-- Swap one source's OSM rows for the staged ones (osm_stage is the staging schema).
-- Runs in one transaction; :source, :file_name and :sha are bound parameters.
DELETE FROM streets WHERE source = :source;
DELETE FROM street_names WHERE source = :source;
DELETE FROM places WHERE source = :source;
INSERT INTO streets (source, osm_id, name, ref, class, oneway, geom)
SELECT :source, osm_id, name, ref, class, coalesce(oneway, false), geom
FROM osm_stage.streets WHERE NOT ST_IsEmpty(geom);
-- Same-name segments within ~250 m form one street (a name can recur across the city).
INSERT INTO street_names (source, name, class, geom, point)
SELECT :source, name, min(class), ST_Multi(ST_LineMerge(ST_Collect(geom))),
       ST_LineInterpolatePoint((array_agg(geom ORDER BY ST_Length(geom) DESC))[1], 0.5)
FROM (
    SELECT name, class, geom,
           ST_ClusterDBSCAN(ST_Transform(geom, 3857), 250, 1) OVER (PARTITION BY name) AS cluster
    FROM streets WHERE source = :source AND name IS NOT NULL
) clustered
GROUP BY name, cluster;
INSERT INTO places (source, source_ref, name, kind, tags, geom)
SELECT :source, osm_type || osm_id::text, name, kind, coalesce(tags, '{}'::jsonb), geom
FROM osm_stage.places WHERE NOT ST_IsEmpty(geom);
WITH previous AS (
    SELECT max(id) AS id FROM osm_imports WHERE source = :source
), added AS (
    INSERT INTO osm_imports (source, file_name, file_sha256, streets, places, bbox)
    SELECT :source, :file_name, :sha,
           (SELECT count(*) FROM streets WHERE source = :source),
           (SELECT count(*) FROM places WHERE source = :source),
           (SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4326) FROM (
               SELECT geom FROM streets WHERE source = :source
               UNION ALL SELECT geom FROM places WHERE source = :source) g)
    RETURNING streets, places
)
SELECT added.streets, added.places, previous.id AS replaced,
       (SELECT count(*) FROM street_names WHERE source = :source) AS named_streets
FROM added, previous;
