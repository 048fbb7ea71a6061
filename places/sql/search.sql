-- Place search over place_searchable (streets, places, police stations, areas).
-- Bound: :q (scored here), :every_word / :any_word (tsqueries of exact indexed words, from
-- search_words.sql), :all_every / :all_any / :nearest_any (which branches run, chosen from
-- the vocabulary's counts by places/search.py), :lon, :lat (map centre or NULL),
-- :near_lon, :near_lat (the point candidates are taken nearest to), :nearest, :scope, :limit.
-- Candidates: where few names have the words, every such name (GIN full text), nearest
-- first; where many do ("masjid", "toko"), those among the :nearest names (GiST KNN).
-- Either way a bounded set, so a word 125,000 names share costs what a rare one does;
-- only candidates are scored by trigram similarity.
WITH q AS (
    SELECT places_normalise(:q) AS t,
           regexp_split_to_array(places_normalise(:q), ' ') AS ws,
           to_tsquery('simple', :every_word) AS words,
           CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
                ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END AS centre
), found AS (
    (SELECT * FROM place_searchable
     WHERE :all_every AND to_tsvector('simple', name_norm) @@ to_tsquery('simple', :every_word)
     -- No map centre: the shortest names are the ones mostly made of the words typed.
     ORDER BY CASE WHEN CAST(:lon AS float8) IS NULL THEN length(name_norm) END,
              ST_Distance(geom, ST_SetSRID(ST_MakePoint(:near_lon, :near_lat), 4326))
     LIMIT 60)
    UNION ALL
    -- Some of the words only ("indomaret gunung sari": a chain in an area).
    (SELECT * FROM place_searchable
     WHERE :all_any AND to_tsvector('simple', name_norm) @@ to_tsquery('simple', :any_word)
     ORDER BY CASE WHEN CAST(:lon AS float8) IS NULL THEN length(name_norm) END,
              ST_Distance(geom, ST_SetSRID(ST_MakePoint(:near_lon, :near_lat), 4326))
     LIMIT 30)
    UNION ALL
    (SELECT nearest.* FROM (
         SELECT * FROM place_searchable WHERE :nearest_any
         ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:near_lon, :near_lat), 4326)
         LIMIT :nearest) nearest
     WHERE to_tsvector('simple', name_norm) @@ to_tsquery('simple', :any_word)
     -- Names with every word first (the KNN order is kept within each group).
     ORDER BY to_tsvector('simple', name_norm) @@ to_tsquery('simple', :every_word) DESC
     LIMIT 60)
), candidates AS (
    -- A name found two ways is scored once.
    SELECT DISTINCT ON (kind, id) *,
           CASE WHEN kind = 'street' AND detail IN ('trunk', 'primary', 'secondary') THEN 0.12
                WHEN kind = 'street' THEN 0.08
                WHEN kind = 'place' THEN 0.05
                WHEN kind = 'police' THEN CASE unit_level WHEN 'polda' THEN 0.45
                    WHEN 'polres' THEN 0.35 WHEN 'polsek' THEN 0.3 ELSE 0.1 END
                WHEN kind = 'desa' THEN 0.15 WHEN kind = 'kecamatan' THEN 0.2 ELSE 0.25 END
             AS prominence
    FROM found
    ORDER BY kind, id
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
), top AS (
    SELECT * FROM ranked ORDER BY in_scope DESC, score DESC, name LIMIT :limit
)
SELECT r.kind, r.name, r.detail, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, r.distance_m,
       r.in_scope, r.score, desa.label AS desa_label, desa.name AS desa_name,
       kec.name AS kecamatan_name, kab.label AS kab_label, kab.name AS kab_name
FROM top r
LEFT JOIN LATERAL (SELECT code, label, name, parent_code FROM admin_areas
                   WHERE level = 'desa' AND ST_Covers(geom, r.geom) ORDER BY code LIMIT 1) desa
       ON true
-- Up the desa's own parents (one key lookup each); a point test only where no desa covers.
LEFT JOIN LATERAL (
    (SELECT name, parent_code FROM admin_areas
     WHERE code = desa.parent_code AND level = 'kecamatan')
    UNION ALL
    (SELECT name, parent_code FROM admin_areas
     WHERE desa.code IS NULL AND level = 'kecamatan' AND ST_Covers(geom, r.geom)
     ORDER BY code LIMIT 1)
    LIMIT 1) kec ON true
LEFT JOIN LATERAL (
    (SELECT label, name FROM admin_areas WHERE code = kec.parent_code AND level = 'kabkota')
    UNION ALL
    (SELECT label, name FROM admin_areas
     WHERE kec.parent_code IS NULL AND level = 'kabkota' AND ST_Covers(geom, r.geom)
     ORDER BY code LIMIT 1)
    LIMIT 1) kab ON true
ORDER BY r.in_scope DESC, r.score DESC, r.name
