"""Places: OSM streets and named places, administrative areas, search normalisation.

Names are matched through places_normalise(): lower case, no accents, punctuation as spaces
and Indonesian abbreviations written out (Jl./Jln. -> jalan, RS -> rumah sakit, ...), so the
stored key and the typed query go through one rule. map_data_version moves on every change
to what the vector tiles draw (streets, places, areas, jurisdictions): the tile cache key.

Revision ID: 1101
Revises: 1601
Create Date: 2026-12-03
"""

from alembic import op

revision = "1101"
down_revision = "1601"
branch_labels = None
depends_on = None

# Whole words only (\m \M); the expansions are the forms OSM names spell out.
ABBREVIATIONS = [
    ("jl|jln|jlan|jalan", "jalan"),
    ("gg|gang", "gang"),
    ("kel|kelurahan", "kelurahan"),
    ("kec|kecamatan", "kecamatan"),
    ("kab|kabupaten", "kabupaten"),
    ("jend|jendral|jenderal", "jenderal"),
    ("rsud", "rumah sakit umum daerah"),
    ("rsia", "rumah sakit ibu dan anak"),
    ("rs", "rumah sakit"),
    ("sdn", "sd negeri"),
    ("smpn", "smp negeri"),
    ("sman", "sma negeri"),
    ("smkn", "smk negeri"),
    ("mesjid|masjid", "masjid"),
    ("spbu|pom bensin", "spbu"),
    ("puskesmas|pkm", "puskesmas"),
    ("komp|komplek|kompleks", "kompleks"),
    ("perum|perumahan", "perumahan"),
]


def _normalise_sql() -> str:
    expr = (
        "regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, $1)),"
        " '[^a-z0-9]+', ' ', 'g')"
    )
    for pattern, expansion in ABBREVIATIONS:
        expr = f"regexp_replace({expr}, '\\m({pattern})\\M', '{expansion}', 'g')"
    return f"SELECT btrim(regexp_replace({expr}, '\\s+', ' ', 'g'))"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(
        "CREATE FUNCTION places_normalise(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$ {_normalise_sql()} $fn$"
    )
    op.execute(
        """
        CREATE TABLE osm_imports (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            file_name text NOT NULL,
            file_sha256 text NOT NULL,
            imported_at timestamptz NOT NULL DEFAULT now(),
            streets integer NOT NULL,
            places integer NOT NULL,
            bbox geometry(Geometry, 4326)
        );
        CREATE INDEX ix_osm_imports_source ON osm_imports (source, id);

        CREATE TABLE streets (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            osm_id bigint NOT NULL,
            name text,
            ref text,
            class text NOT NULL,
            oneway boolean NOT NULL DEFAULT false,
            geom geometry(LineString, 4326) NOT NULL
        );
        CREATE INDEX ix_streets_source ON streets (source);
        CREATE INDEX idx_streets_geom ON streets USING gist (geom);

        -- One row per named street (same-name segments within ~250 m of each other).
        CREATE TABLE street_names (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            name text NOT NULL,
            class text NOT NULL,
            name_norm text GENERATED ALWAYS AS (places_normalise(name)) STORED,
            geom geometry(MultiLineString, 4326) NOT NULL,
            point geometry(Point, 4326) NOT NULL
        );
        CREATE INDEX ix_street_names_source ON street_names (source);
        CREATE INDEX idx_street_names_point ON street_names USING gist (point);
        CREATE INDEX ix_street_names_trgm ON street_names USING gin (name_norm gin_trgm_ops);

        CREATE TABLE places (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            source_ref text,
            name text NOT NULL,
            kind text NOT NULL,
            category text,
            tags jsonb NOT NULL DEFAULT '{}'::jsonb,
            name_norm text GENERATED ALWAYS AS (places_normalise(name)) STORED,
            geom geometry(Point, 4326) NOT NULL
        );
        CREATE INDEX ix_places_source ON places (source);
        CREATE INDEX idx_places_geom ON places USING gist (geom);
        CREATE INDEX ix_places_trgm ON places USING gin (name_norm gin_trgm_ops);

        CREATE TABLE admin_areas (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            code text NOT NULL UNIQUE,
            name text NOT NULL,
            level text NOT NULL CHECK (level IN ('provinsi', 'kabkota', 'kecamatan', 'desa')),
            label text NOT NULL,
            parent_code text,
            name_norm text GENERATED ALWAYS AS (places_normalise(name)) STORED,
            geom geometry(MultiPolygon, 4326) NOT NULL,
            point geometry(Point, 4326) NOT NULL
        );
        CREATE INDEX idx_admin_areas_geom ON admin_areas USING gist (geom);
        CREATE INDEX ix_admin_areas_trgm ON admin_areas USING gin (name_norm gin_trgm_ops);

        CREATE TABLE map_data_version (
            id integer PRIMARY KEY CHECK (id = 1),
            version bigint NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT now()
        );
        INSERT INTO map_data_version (id, version) VALUES (1, 1);

        CREATE FUNCTION siaga_map_data_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            UPDATE map_data_version SET version = version + 1, changed_at = now() WHERE id = 1;
            RETURN NULL;
        END $fn$;
        """
    )
    for table in ("streets", "places", "admin_areas", "jurisdictions"):
        op.execute(
            f"CREATE TRIGGER {table}_map_data_changed AFTER INSERT OR UPDATE OR DELETE "
            f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION siaga_map_data_changed()"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS jurisdictions_map_data_changed ON jurisdictions")
    op.execute(
        "DROP TABLE IF EXISTS map_data_version, admin_areas, places, street_names, streets, "
        "osm_imports"
    )
    op.execute("DROP FUNCTION IF EXISTS siaga_map_data_changed()")
    op.execute("DROP FUNCTION IF EXISTS places_normalise(text)")
