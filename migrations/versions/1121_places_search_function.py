"""Places: the whole word search as one function, places_search(), in one round trip.

Measured on the Balikpapan data plus a million generated names (docs/DESIGN.md, "Place
search index"): a search was four statements (words, a plan setting, the search, the setting
put back) and six to twelve for "A depan B"; each search statement was planned again every
time (2 to 5 ms); its estimated cost (geography distances over thousands of estimated rows)
passed jit_above_cost, so PostgreSQL JIT-compiled it: 50 to 70 ms for a query that runs in 3.
A PL/pgSQL function keeps its statements' plans for the session, sets jit and parallel
workers off for its own run only (no SET and reset round trips), and takes the branch from
the vocabulary's counts itself. Distances are measured from the shape's closest point (planar,
cheap) to the centre on the spheroid: a kelurahan polygon cast to geography cost 0.3 ms a row.
The where-it-is columns stay a lookup for the ten results (0.4 ms in all, measured), so a new
boundary import needs no recomputation of every place.

Revision ID: 1121
Revises: 1405
Create Date: 2026-12-04
"""

from alembic import op

revision = "1121"
down_revision = "1405"
branch_labels = None
depends_on = None

# The vocabulary step (what each typed word may mean) and the candidate/rank step, as
# sql/search_words.sql and sql/search.sql were (docs/DESIGN.md, "Place search index").
FUNCTION = r"""
CREATE FUNCTION places_search(
    query_text text, centre_lon float8, centre_lat float8, scope_ids int[],
    max_results int, few_names int, nearest_names int
) RETURNS TABLE (
    kind text, name text, detail text, lon float8, lat float8, distance_m float8,
    in_scope boolean, score float8, desa_label text, desa_name text, kecamatan_name text,
    kab_label text, kab_name text, "position" int
)
LANGUAGE plpgsql STABLE
-- A caller's statement is planned as if ten rows come back (the default, 1,000, makes a
-- statement joining two calls look costly enough to be JIT compiled: 6 ms).
ROWS 10
-- A few hundred rows: JIT compiling or starting parallel workers costs more than the query.
SET jit = off
SET max_parallel_workers_per_gather = 0
-- Planned once per connection (planning the search took 0.3 to 2 ms of each call; the
-- plan's choices, GIN for few names and GiST KNN for many, hold for any words).
SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
DECLARE
    every_word text;
    any_word text;
    every_names bigint;
    any_names bigint;
    some_words boolean;
    all_every boolean;
    all_any boolean;
    near_point geometry;
    centre geometry;
    every_query tsquery;
    any_query tsquery;
    -- Normalised once: inside the query it would run again for every candidate row.
    typed_text text := places_normalise(query_text);
    typed_words text[] := regexp_split_to_array(typed_text, ' ');
BEGIN
    WITH typed AS (
        SELECT t.w COLLATE "C" AS w, t.ord
        FROM unnest(typed_words) WITH ORDINALITY AS t(w, ord)
        WHERE t.w <> ''
    ), filtering AS (
        -- A last word of one or two letters after others ("masjid a") is still being
        -- typed: it ranks (every typed word is scored) but does not filter.
        SELECT * FROM typed
        WHERE NOT (ord > 1 AND ord = (SELECT max(ord) FROM typed) AND length(w) < 3)
    ), meant AS (
        SELECT filtering.ord, m.word, coalesce(m.ndoc, 0) AS ndoc
        FROM filtering CROSS JOIN LATERAL (
            SELECT filtering.w AS word,
                   (SELECT pw.ndoc FROM place_words pw WHERE pw.word = filtering.w) AS ndoc
            UNION
            (SELECT pw.word, pw.ndoc FROM place_words pw
             WHERE length(filtering.w) >= 3
               AND pw.word >= filtering.w AND pw.word < filtering.w || '~'
             ORDER BY pw.ndoc DESC, pw.word LIMIT 20)
            UNION
            -- A one- or two-letter prefix completes only to words several names share.
            (SELECT pw.word, pw.ndoc FROM place_words pw
             WHERE length(filtering.w) < 3 AND pw.ndoc >= 3
               AND pw.word >= filtering.w AND pw.word < filtering.w || '~'
             ORDER BY pw.ndoc DESC, pw.word LIMIT 20)
            UNION
            (SELECT pw.word, pw.ndoc FROM place_words pw
             WHERE length(filtering.w) >= 4 AND pw.word % filtering.w
               -- Only a word no name starts with is read as a typo ("indomart").
               AND NOT EXISTS (SELECT 1 FROM place_words known
                               WHERE known.word >= filtering.w
                                 AND known.word < filtering.w || '~')
             ORDER BY pw.word <-> filtering.w, pw.word LIMIT 5)
        ) m
    ), per_word AS (
        SELECT ord, '(' || string_agg(word, ' | ' ORDER BY word) || ')' AS alternatives,
               sum(ndoc) AS names
        FROM meant GROUP BY ord
    )
    SELECT string_agg(alternatives, ' & ' ORDER BY ord),
           string_agg(alternatives, ' | ' ORDER BY ord), min(names), sum(names)
    INTO every_word, any_word, every_names, any_names
    FROM per_word;
    IF every_word IS NULL THEN
        RETURN;
    END IF;
    some_words := any_word <> every_word;  -- more than one word filters
    all_every := every_names <= few_names;
    all_any := some_words AND any_names <= few_names;
    -- With no map centre, candidates are still taken nearest a point (that bounds each
    -- index scan); the middle of Indonesia keeps the order stable and means nothing else.
    near_point := ST_SetSRID(ST_MakePoint(coalesce(centre_lon, 118.0),
                                          coalesce(centre_lat, -2.5)), 4326);
    -- Parsed once, not for each of the up to 1,000 names checked.
    every_query := to_tsquery('simple', every_word);
    any_query := to_tsquery('simple', any_word);
    IF centre_lon IS NOT NULL THEN
        centre := ST_SetSRID(ST_MakePoint(centre_lon, centre_lat), 4326);
    END IF;
    RETURN QUERY
    WITH typed AS (
        SELECT typed_text AS t, typed_words AS ws, every_query AS words,
               centre
    ), found AS (
        -- Few names have the words: every such name (GIN full text), nearest first.
        (SELECT * FROM place_searchable ps
         WHERE all_every AND to_tsvector('simple', ps.name_norm) @@ every_query
         -- No map centre: the shortest names are the ones mostly made of the words typed.
         ORDER BY CASE WHEN centre_lon IS NULL THEN length(ps.name_norm) END,
                  ST_Distance(ps.geom, near_point)
         LIMIT 60)
        UNION ALL
        -- Some of the words only ("indomaret gunung sari": a chain in an area).
        (SELECT * FROM place_searchable ps
         WHERE all_any AND to_tsvector('simple', ps.name_norm) @@ any_query
         ORDER BY CASE WHEN centre_lon IS NULL THEN length(ps.name_norm) END,
                  ST_Distance(ps.geom, near_point)
         LIMIT 30)
        UNION ALL
        -- Many names have them ("masjid", "toko"): only the nearest names (GiST KNN).
        (SELECT nearest.* FROM (
             SELECT * FROM place_searchable ps
             WHERE NOT all_every OR (some_words AND NOT all_any)
             ORDER BY ps.geom <-> near_point
             LIMIT CASE WHEN all_every THEN nearest_names / 4 ELSE nearest_names END) nearest
         WHERE to_tsvector('simple', nearest.name_norm) @@ any_query
         -- Names with every word first (the KNN order is kept within each group).
         ORDER BY to_tsvector('simple', nearest.name_norm) @@ every_query DESC
         LIMIT 60)
    ), candidates AS (
        -- A name found two ways is scored once.
        SELECT DISTINCT ON (f.kind, f.id) f.*,
               CASE WHEN f.kind = 'street' AND f.detail IN ('trunk', 'primary', 'secondary')
                        THEN 0.12
                    WHEN f.kind = 'street' THEN 0.08
                    WHEN f.kind = 'place' THEN 0.05
                    WHEN f.kind = 'police' THEN CASE f.unit_level WHEN 'polda' THEN 0.45
                        WHEN 'polres' THEN 0.35 WHEN 'polsek' THEN 0.3 ELSE 0.1 END
                    WHEN f.kind = 'desa' THEN 0.15 WHEN f.kind = 'kecamatan' THEN 0.2
                    ELSE 0.25 END AS prominence
        FROM found f
        ORDER BY f.kind, f.id
    ), scored AS (
        SELECT c.*,
               -- From the street's line or the area's polygon (0 inside it), not its label
               -- point: the closest point found on the plane, its distance on the spheroid.
               CASE WHEN typed.centre IS NULL THEN NULL
                    ELSE ST_Distance(ST_ClosestPoint(c.shape, typed.centre)::geography,
                                     typed.centre::geography) END AS dist_m,
               -- Whole query, then word by word (a rare word counts as much as "rumah
               -- sakit"), and the worst-matched word (every word said should be in the name).
               word_similarity(typed.t, c.name_norm) * 0.2 + similarity(typed.t, c.name_norm) * 0.2
                 + (SELECT avg(word_similarity(w, c.name_norm)) * 0.2
                           + min(word_similarity(w, c.name_norm)) * 0.4 FROM unnest(typed.ws) w)
                 -- A one-word exact name is usually a chain ("Indomaret"): the nearest wins.
                 + CASE WHEN c.name_norm <> typed.t THEN 0
                        WHEN cardinality(typed.ws) > 1 THEN 0.3 ELSE 0 END
                 + CASE WHEN to_tsvector('simple', c.name_norm) @@ typed.words THEN 0.3 ELSE 0 END
                 + c.prominence AS match
        FROM candidates c, typed
    ), ranked AS (
        SELECT s.*,
               CASE WHEN scope_ids IS NULL THEN true
                    ELSE EXISTS (SELECT 1 FROM jurisdiction_parts jp
                                 WHERE jp.jurisdiction_id = ANY(scope_ids)
                                   AND jp.valid_to IS NULL AND ST_Covers(jp.geom, s.geom)) END
                 AS in_scope,
               -- Nearer the map centre ranks higher: a chain's nearest shop first (0.5 at 10 km).
               s.match - least(coalesce(s.dist_m, 0) / 20000.0, 0.5) AS score
        FROM scored s
    ), top AS (
        SELECT * FROM ranked r ORDER BY r.in_scope DESC, r.score DESC, r.name LIMIT max_results
    )
    SELECT r.kind, r.name, r.detail, ST_X(r.geom), ST_Y(r.geom), r.dist_m,
           r.in_scope, r.score::float8, desa.label, desa.name, kec.name, kab.label, kab.name,
           (row_number() OVER (ORDER BY r.in_scope DESC, r.score DESC, r.name))::int
    FROM top r
    LEFT JOIN LATERAL (SELECT a.code, a.label, a.name, a.parent_code FROM admin_areas a
                       WHERE a.level = 'desa' AND ST_Covers(a.geom, r.geom)
                       ORDER BY a.code LIMIT 1) desa ON true
    -- Up the desa's own parents (one key lookup each); a point test only where no desa covers.
    LEFT JOIN LATERAL (
        (SELECT a.name, a.parent_code FROM admin_areas a
         WHERE a.code = desa.parent_code AND a.level = 'kecamatan')
        UNION ALL
        (SELECT a.name, a.parent_code FROM admin_areas a
         WHERE desa.code IS NULL AND a.level = 'kecamatan' AND ST_Covers(a.geom, r.geom)
         ORDER BY a.code LIMIT 1)
        LIMIT 1) kec ON true
    LEFT JOIN LATERAL (
        (SELECT a.label, a.name FROM admin_areas a
         WHERE a.code = kec.parent_code AND a.level = 'kabkota')
        UNION ALL
        (SELECT a.label, a.name FROM admin_areas a
         WHERE kec.parent_code IS NULL AND a.level = 'kabkota' AND ST_Covers(a.geom, r.geom)
         ORDER BY a.code LIMIT 1)
        LIMIT 1) kab ON true
    ORDER BY 14;
END
$fn$
"""

SIGNATURE = "places_search(text, float8, float8, int[], int, int, int)"


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
