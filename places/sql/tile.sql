-- One vector tile (Mapbox Vector Tile) of :z/:x/:y: streets, places, police stations, areas and
-- jurisdictions, each layer in web mercator clipped to the tile (4096 units, 64 buffer).
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096), 4326) AS box,
           -- One tile pixel in degrees at this zoom: the simplification tolerance of polygons.
           360.0 / (2 ^ :z) / 512 AS pixel
), streets_layer AS (
    SELECT ST_AsMVTGeom(ST_Transform(s.geom, 3857), b.env, 4096, 64, true) AS geom,
           s.name, s.ref, s.class, s.oneway
    FROM streets s, bounds b
    WHERE s.geom && b.box
      AND (:z >= 14 OR s.class IN ('motorway', 'trunk', 'primary', 'secondary', 'tertiary',
                                   'motorway_link', 'trunk_link', 'primary_link'))
      AND (:z >= 11 OR s.class IN ('motorway', 'trunk', 'primary'))
), places_layer AS (
    SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), b.env, 4096, 64, true) AS geom,
           p.name, p.kind, coalesce(p.category, '') AS category
    FROM places p, bounds b
    -- Samsat, Satpol PP, private security: tagged amenity=police in OSM, drawn as places.
    WHERE p.geom && b.box AND :z >= 15
      AND (p.kind <> 'amenity=police' OR p.tags->>'unit_level' = 'not_polri_station')
), police_layer AS (
    SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), b.env, 4096, 64, true) AS geom,
           p.name, coalesce(p.tags->>'unit_level', '') AS unit_level
    FROM places p, bounds b
    WHERE p.geom && b.box AND p.kind = 'amenity=police' AND :z >= 10
      AND coalesce(p.tags->>'unit_level', '') <> 'not_polri_station'
      -- The police icon is for Polri only: not the OSM copy of a name the police list
      -- marks as no Polri station (within ~200 m: a GiST lookup, not a scan).
      AND NOT EXISTS (SELECT 1 FROM places n
                      WHERE n.geom && ST_Expand(p.geom, 0.002)
                        AND n.kind = 'amenity=police' AND n.name = p.name
                        AND n.tags->>'unit_level' = 'not_polri_station')
), areas_layer AS (
    SELECT ST_AsMVTGeom(ST_Transform(ST_SimplifyPreserveTopology(a.geom, b.pixel), 3857),
                        b.env, 4096, 64, true) AS geom,
           a.name, a.level, a.label
    FROM admin_areas a, bounds b
    WHERE a.geom && b.box AND a.level IN ('desa', 'kecamatan', 'kabkota')
      AND (:z >= 12 OR a.level <> 'desa')
), area_labels_layer AS (
    SELECT ST_AsMVTGeom(ST_Transform(a.point, 3857), b.env, 4096, 64, true) AS geom,
           a.name, a.level, a.label
    FROM admin_areas a, bounds b
    WHERE a.point && b.box AND a.level IN ('desa', 'kecamatan')
      AND (:z >= 13 OR a.level = 'kecamatan')
), jurisdictions_layer AS (
    SELECT ST_AsMVTGeom(ST_Transform(ST_SimplifyPreserveTopology(j.geom, b.pixel), 3857),
                        b.env, 4096, 64, true) AS geom,
           j.name, j.level, j.code
    FROM jurisdictions j, bounds b
    WHERE j.geom && b.box AND j.valid_to IS NULL
)
SELECT (SELECT coalesce(ST_AsMVT(t, 'areas', 4096, 'geom'), '') FROM areas_layer t WHERE geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(t, 'jurisdictions', 4096, 'geom'), '') FROM jurisdictions_layer t
        WHERE geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(t, 'streets', 4096, 'geom'), '') FROM streets_layer t WHERE geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(t, 'places', 4096, 'geom'), '') FROM places_layer t WHERE geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(t, 'police', 4096, 'geom'), '') FROM police_layer t WHERE geom IS NOT NULL)
    || (SELECT coalesce(ST_AsMVT(t, 'area_labels', 4096, 'geom'), '') FROM area_labels_layer t
        WHERE geom IS NOT NULL)
