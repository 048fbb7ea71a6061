-- Reverse geocoding of :lon/:lat: nearest named street (within :street_max_m), nearest named
-- place (within :place_max_m), and the desa/kelurahan, kecamatan and kab/kota covering it.
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g)
SELECT
    (SELECT json_build_object('name', s.name, 'ref', s.ref, 'class', s.class,
                              'distance_m', ST_Distance(s.geom::geography, pt.g::geography))
     FROM (SELECT * FROM streets WHERE name IS NOT NULL ORDER BY geom <-> pt.g LIMIT 8) s
     WHERE ST_DWithin(s.geom::geography, pt.g::geography, :street_max_m)
     ORDER BY ST_Distance(s.geom::geography, pt.g::geography) LIMIT 1) AS street,
    (SELECT json_build_object('name', p.name, 'kind', p.kind, 'category', p.category,
                              'distance_m', ST_Distance(p.geom::geography, pt.g::geography))
     FROM (SELECT * FROM places ORDER BY geom <-> pt.g LIMIT 8) p
     WHERE ST_DWithin(p.geom::geography, pt.g::geography, :place_max_m)
     ORDER BY ST_Distance(p.geom::geography, pt.g::geography) LIMIT 1) AS landmark,
    (SELECT json_build_object('code', code, 'name', name, 'label', label) FROM admin_areas
     WHERE level = 'desa' AND ST_Covers(geom, pt.g) ORDER BY code LIMIT 1) AS desa,
    (SELECT json_build_object('code', code, 'name', name, 'label', label) FROM admin_areas
     WHERE level = 'kecamatan' AND ST_Covers(geom, pt.g) ORDER BY code LIMIT 1) AS kecamatan,
    (SELECT json_build_object('code', code, 'name', name, 'label', label) FROM admin_areas
     WHERE level = 'kabkota' AND ST_Covers(geom, pt.g) ORDER BY code LIMIT 1) AS kabkota
FROM pt
