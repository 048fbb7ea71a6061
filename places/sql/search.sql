-- Place search: streets, places, police stations, areas; bound :q, :lon, :lat, :scope, :limit.
-- Candidates match by trigram word similarity (typos, partial words), by a name prefix, or
-- by every typed word being the prefix of a word of the name (full text, "rs kanujoso").
WITH q AS (
    SELECT places_normalise(:q) AS t,
           regexp_split_to_array(places_normalise(:q), ' ') AS ws,
           to_tsquery('simple', (SELECT string_agg(w || ':*', ' & ')
                                 FROM regexp_split_to_table(places_normalise(:q), ' ') w
                                 WHERE w <> '')) AS words,
           CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
                ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END AS centre
), candidates AS (
    SELECT 'street' AS kind, s.name, s.class AS detail, s.point AS geom, s.geom AS shape,
           s.name_norm,
           CASE WHEN s.class IN ('trunk', 'primary', 'secondary') THEN 0.12 ELSE 0.08 END AS prominence
    FROM street_names s, q
    WHERE q.t <% s.name_norm OR s.name_norm LIKE q.t || '%'
       OR to_tsvector('simple', s.name_norm) @@ q.words
    UNION ALL
    SELECT CASE WHEN p.kind = 'amenity=police' THEN 'police' ELSE 'place' END, p.name,
           coalesce(p.category, p.kind), p.geom, p.geom, p.name_norm,
           CASE WHEN p.kind <> 'amenity=police' THEN 0.05
                WHEN p.tags->>'unit_level' = 'polda' THEN 0.45
                WHEN p.tags->>'unit_level' = 'polres' THEN 0.35
                WHEN p.tags->>'unit_level' = 'polsek' THEN 0.3 ELSE 0.1 END
    FROM places p, q
    WHERE q.t <% p.name_norm OR p.name_norm LIKE q.t || '%'
       OR to_tsvector('simple', p.name_norm) @@ q.words
    UNION ALL
    SELECT a.level, a.name, a.label, a.point, a.geom, a.name_norm,
           CASE a.level WHEN 'desa' THEN 0.15 WHEN 'kecamatan' THEN 0.2 ELSE 0.25 END
    FROM admin_areas a, q
    WHERE q.t <% a.name_norm OR a.name_norm LIKE q.t || '%'
       OR to_tsvector('simple', a.name_norm) @@ q.words
), scored AS (
    SELECT c.*,
           CASE WHEN q.centre IS NULL THEN NULL
                -- From the street's line or the area's polygon (0 inside it), not its label point.
                ELSE ST_Distance(c.shape::geography, q.centre::geography) END AS distance_m,
           -- Whole query, then word by word (a rare word counts as much as "rumah sakit").
           -- and the worst-matched word (every word said should be in the name).
           word_similarity(q.t, c.name_norm) * 0.2 + similarity(q.t, c.name_norm) * 0.2
             + (SELECT avg(word_similarity(w, c.name_norm)) * 0.2
                       + min(word_similarity(w, c.name_norm)) * 0.4 FROM unnest(q.ws) w)
             -- A one-word exact name is usually a chain ("Indomaret"): the nearest should win.
             + CASE WHEN c.name_norm <> q.t THEN 0
                    WHEN cardinality(q.ws) > 1 THEN 0.3 ELSE 0 END
             + CASE WHEN to_tsvector('simple', c.name_norm) @@ q.words THEN 0.3 ELSE 0 END
             + c.prominence AS match
    FROM candidates c, q
), ranked AS (
    SELECT s.*,
           CASE WHEN CAST(:scope AS int[]) IS NULL THEN true
                ELSE EXISTS (SELECT 1 FROM jurisdiction_parts jp
                             WHERE jp.jurisdiction_id = ANY(CAST(:scope AS int[]))
                               AND jp.valid_to IS NULL AND ST_Covers(jp.geom, s.geom)) END
             AS in_scope,
           -- Nearer the map centre ranks higher: a chain's nearest shop first (0.5 at 10 km).
           s.match - least(coalesce(s.distance_m, 0) / 20000.0, 0.5) AS score
    FROM scored s
    ORDER BY s.match DESC
    LIMIT 200
), top AS (
    SELECT * FROM ranked ORDER BY in_scope DESC, score DESC, name LIMIT :limit
)
SELECT r.kind, r.name, r.detail, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, r.distance_m,
       r.in_scope, r.score, desa.label AS desa_label, desa.name AS desa_name,
       kec.name AS kecamatan_name, kab.label AS kab_label, kab.name AS kab_name
FROM top r
LEFT JOIN LATERAL (SELECT label, name FROM admin_areas
                   WHERE level = 'desa' AND ST_Covers(geom, r.geom) ORDER BY code LIMIT 1) desa ON true
LEFT JOIN LATERAL (SELECT name FROM admin_areas
                   WHERE level = 'kecamatan' AND ST_Covers(geom, r.geom) ORDER BY code LIMIT 1) kec ON true
LEFT JOIN LATERAL (SELECT label, name FROM admin_areas
                   WHERE level = 'kabkota' AND ST_Covers(geom, r.geom) ORDER BY code LIMIT 1) kab ON true
ORDER BY r.in_scope DESC, r.score DESC, r.name
