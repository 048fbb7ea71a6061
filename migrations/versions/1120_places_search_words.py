"""Places: a vocabulary of the words in every searchable name, kept by triggers.

Search resolves each typed word against this small table first (the word, its most frequent
completions, trigram neighbours for typos), then reads names through their full-text GIN
index by those exact words when few names have them, or checks only the names nearest the
map centre (GiST KNN over the view place_searchable) when many do. Matching names by trigram
similarity directly took 0.1 to 9.6 s on a million names: a common word like "masjid"
matched 125,000 rows, each rechecked and scored. The trigram GIN indexes on the names are
no longer read by anything and are dropped (less work on every import).

Revision ID: 1120
Revises: 1501
Create Date: 2026-12-03
"""

from alembic import op

revision = "1120"
down_revision = "1501"
branch_labels = None
depends_on = None

TABLES = ("street_names", "places", "admin_areas")
# Everything the search box finds, one row shape; the planner reads each table through its
# own indexes (a KNN ORDER BY over the view becomes a merge of three GiST scans).
SEARCHABLE_VIEW = """
CREATE VIEW place_searchable AS
SELECT 'street' AS kind, id, name, class AS detail, point AS geom, geom AS shape, name_norm,
       NULL::text AS unit_level
FROM street_names
UNION ALL
SELECT CASE WHEN kind = 'amenity=police' THEN 'police' ELSE 'place' END, id, name,
       coalesce(category, kind), geom, geom, name_norm, (tags->>'unit_level')::text
FROM places
UNION ALL
SELECT level, id::bigint, name, label, point, geom, name_norm, NULL::text
FROM admin_areas
"""


# Distinct words of each name (ndoc counts names, not occurrences).
FUNCTIONS = """
CREATE FUNCTION place_name_words(name_norm text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
    SELECT unnest(tsvector_to_array(to_tsvector('simple'::regconfig, name_norm)))
$fn$;

CREATE FUNCTION place_words_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- Sorted so two concurrent imports lock shared words in the same order.
    INSERT INTO place_words AS pw (word, ndoc)
    SELECT w, count(*) FROM new_rows, place_name_words(new_rows.name_norm) w
    GROUP BY w ORDER BY w
    ON CONFLICT (word) DO UPDATE SET ndoc = pw.ndoc + excluded.ndoc;
    RETURN NULL;
END $fn$;

CREATE FUNCTION place_words_remove() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    gone text[];
BEGIN
    WITH removed AS (
        SELECT w, count(*) AS n FROM old_rows, place_name_words(old_rows.name_norm) w
        GROUP BY w ORDER BY w
    ), updated AS (
        UPDATE place_words pw SET ndoc = pw.ndoc - removed.n FROM removed
        WHERE pw.word = removed.w RETURNING pw.word, pw.ndoc
    )
    SELECT array_agg(word) INTO gone FROM updated WHERE ndoc <= 0;
    DELETE FROM place_words WHERE word = ANY(gone);
    RETURN NULL;
END $fn$;

CREATE FUNCTION place_words_recount() RETURNS void LANGUAGE sql AS $fn$
    DELETE FROM place_words;
    INSERT INTO place_words (word, ndoc)
    SELECT w, count(*)
    FROM (SELECT name_norm FROM street_names UNION ALL SELECT name_norm FROM places
          UNION ALL SELECT name_norm FROM admin_areas) names, place_name_words(names.name_norm) w
    GROUP BY w;
$fn$;

CREATE FUNCTION place_words_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM place_words_recount();
    RETURN NULL;
END $fn$;
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE place_words (
            -- "C" collation: prefix completion is a plain btree range (word >= p AND word < p~).
            -- INCLUDE: completions ranked by ndoc come from index-only scans.
            word text COLLATE "C" NOT NULL,
            ndoc integer NOT NULL,
            PRIMARY KEY (word) INCLUDE (ndoc)
        );
        CREATE INDEX ix_place_words_trgm ON place_words USING gin (word gin_trgm_ops);
        -- Completions of a one- or two-letter prefix come only from words several names share.
        CREATE INDEX ix_place_words_shared ON place_words (word) INCLUDE (ndoc) WHERE ndoc >= 3;
        """
    )
    op.execute(FUNCTIONS)
    for table in TABLES:
        op.execute(
            f"""
            CREATE TRIGGER {table}_words_insert AFTER INSERT ON {table}
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION place_words_add();
            CREATE TRIGGER {table}_words_delete AFTER DELETE ON {table}
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION place_words_remove();
            CREATE TRIGGER {table}_words_update_old AFTER UPDATE ON {table}
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION place_words_remove();
            CREATE TRIGGER {table}_words_update_new AFTER UPDATE ON {table}
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION place_words_add();
            CREATE TRIGGER {table}_words_truncate AFTER TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION place_words_truncated();
            DROP INDEX IF EXISTS ix_{table}_trgm;
            """
        )
    op.execute(SEARCHABLE_VIEW)
    op.execute("CREATE INDEX idx_admin_areas_point ON admin_areas USING gist (point)")
    op.execute("SELECT place_words_recount()")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS place_searchable")
    op.execute("DROP INDEX IF EXISTS idx_admin_areas_point")
    for table in TABLES:
        for suffix in ("insert", "delete", "update_old", "update_new", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_words_{suffix} ON {table}")
        op.execute(f"CREATE INDEX ix_{table}_trgm ON {table} USING gin (name_norm gin_trgm_ops)")
    op.execute("DROP TABLE IF EXISTS place_words")
    for name in ("add", "remove", "recount", "truncated"):
        op.execute(f"DROP FUNCTION IF EXISTS place_words_{name}()")
    op.execute("DROP FUNCTION IF EXISTS place_name_words(text)")
