"""SPKT: reports at the desk, issued documents, gapless number sequences, report log,
Reskrim assessments, investigators, evidence attachments, accountable officials.

Documents, the report log and attachments are append-only (triggers refuse UPDATE/DELETE).

Revision ID: 1401
Revises: 0008
Create Date: 2026-12-03
"""

from alembic import op

revision = "1401"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE spkt_reports (
    id serial CONSTRAINT pk_spkt_reports PRIMARY KEY,
    jurisdiction_id integer NOT NULL
        CONSTRAINT fk_spkt_reports_jurisdiction_id_jurisdictions REFERENCES jurisdictions (id),
    incident_id integer CONSTRAINT fk_spkt_reports_incident_id_incidents REFERENCES incidents (id)
        CONSTRAINT uq_spkt_reports_incident_id UNIQUE,
    kind text NOT NULL CONSTRAINT ck_spkt_reports_kind
        CHECK (kind IN ('pidana', 'kehilangan', 'pengaduan')),
    source text NOT NULL CONSTRAINT ck_spkt_reports_source CHECK (source IN ('walk_in', '110')),
    number text NOT NULL CONSTRAINT uq_spkt_reports_number UNIQUE,
    status text NOT NULL DEFAULT 'diterima' CONSTRAINT ck_spkt_reports_status
        CHECK (status IN ('diterima', 'konsultasi', 'dinilai', 'lp_terbit', 'ditutup', 'selesai')),
    reporter_kind text NOT NULL DEFAULT 'masyarakat' CONSTRAINT ck_spkt_reports_reporter_kind
        CHECK (reporter_kind IN ('masyarakat', 'polri')),
    reporter_name text NOT NULL,
    reporter_nik text NOT NULL CONSTRAINT ck_spkt_reports_nik CHECK (reporter_nik ~ '^[0-9]{16}$'),
    reporter_birth_place text NOT NULL DEFAULT '',
    reporter_birth_date date NOT NULL,
    reporter_address text NOT NULL,
    reporter_phone text NOT NULL,
    reporter_occupation text NOT NULL DEFAULT '',
    reporter_nrp text,
    category text NOT NULL,
    what text NOT NULL,
    occurred_at timestamptz NOT NULL,
    place text NOT NULL,
    geom geometry(POINT, 4326) NOT NULL,
    involved text NOT NULL DEFAULT '',
    witnesses jsonb NOT NULL DEFAULT '[]',
    lost_items jsonb NOT NULL DEFAULT '[]',
    received_by text NOT NULL,
    received_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    settled_at timestamptz,
    settlement text,
    lp_number text CONSTRAINT uq_spkt_reports_lp_number UNIQUE,
    next_sp2hp_due_at timestamptz,
    CONSTRAINT ck_spkt_reports_incident CHECK ((source = '110') = (incident_id IS NOT NULL))
);
CREATE INDEX ix_spkt_reports_jurisdiction_id ON spkt_reports (jurisdiction_id);
CREATE INDEX ix_spkt_reports_status ON spkt_reports (status);
CREATE INDEX ix_spkt_reports_due_at ON spkt_reports (due_at);
CREATE INDEX idx_spkt_reports_geom ON spkt_reports USING gist (geom);
CREATE INDEX ix_spkt_reports_open ON spkt_reports (received_at) WHERE settled_at IS NULL;

CREATE TABLE spkt_number_sequences (
    jurisdiction_id integer NOT NULL
        CONSTRAINT fk_spkt_number_sequences_jurisdiction_id_jurisdictions
        REFERENCES jurisdictions (id),
    series text NOT NULL,
    year integer NOT NULL,
    last_number integer NOT NULL,
    CONSTRAINT pk_spkt_number_sequences PRIMARY KEY (jurisdiction_id, series, year)
);

CREATE TABLE spkt_documents (
    id serial CONSTRAINT pk_spkt_documents PRIMARY KEY,
    report_id integer NOT NULL CONSTRAINT fk_spkt_documents_report_id_spkt_reports
        REFERENCES spkt_reports (id),
    jurisdiction_id integer NOT NULL CONSTRAINT fk_spkt_documents_jurisdiction_id_jurisdictions
        REFERENCES jurisdictions (id),
    kind text NOT NULL CONSTRAINT ck_spkt_documents_kind
        CHECK (kind IN ('tanda_terima', 'laporan_polisi', 'sttlp', 'kehilangan', 'visum')),
    model text CONSTRAINT ck_spkt_documents_model CHECK (model IS NULL OR model IN ('A', 'B')),
    series text NOT NULL,
    year integer NOT NULL,
    sequence integer,
    number text NOT NULL CONSTRAINT uq_spkt_documents_number UNIQUE,
    issued_at timestamptz NOT NULL,
    issued_by text NOT NULL,
    signer jsonb NOT NULL,
    content jsonb NOT NULL,
    corrects_id integer CONSTRAINT fk_spkt_documents_corrects_id_spkt_documents
        REFERENCES spkt_documents (id) CONSTRAINT uq_spkt_documents_corrects_id UNIQUE,
    CONSTRAINT uq_spkt_documents_sequence UNIQUE (jurisdiction_id, series, year, sequence)
);
CREATE INDEX ix_spkt_documents_report_id ON spkt_documents (report_id);

CREATE TABLE spkt_assessments (
    id serial CONSTRAINT pk_spkt_assessments PRIMARY KEY,
    report_id integer NOT NULL CONSTRAINT fk_spkt_assessments_report_id_spkt_reports
        REFERENCES spkt_reports (id),
    at timestamptz NOT NULL DEFAULT now(),
    assessed_by text NOT NULL,
    is_crime boolean NOT NULL,
    articles text NOT NULL DEFAULT '',
    recommendation text NOT NULL
);
CREATE INDEX ix_spkt_assessments_report_id ON spkt_assessments (report_id);

CREATE TABLE spkt_investigators (
    report_id integer NOT NULL CONSTRAINT fk_spkt_investigators_report_id_spkt_reports
        REFERENCES spkt_reports (id),
    user_id integer NOT NULL CONSTRAINT fk_spkt_investigators_user_id_users
        REFERENCES users (id) ON DELETE CASCADE,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    assigned_by text NOT NULL,
    CONSTRAINT pk_spkt_investigators PRIMARY KEY (report_id, user_id)
);

CREATE TABLE spkt_report_events (
    id bigserial CONSTRAINT pk_spkt_report_events PRIMARY KEY,
    report_id integer NOT NULL CONSTRAINT fk_spkt_report_events_report_id_spkt_reports
        REFERENCES spkt_reports (id),
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    role text,
    action text NOT NULL,
    message text NOT NULL,
    public boolean NOT NULL DEFAULT false,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_spkt_report_events_report_id ON spkt_report_events (report_id);

CREATE TABLE spkt_attachments (
    id serial CONSTRAINT pk_spkt_attachments PRIMARY KEY,
    report_id integer NOT NULL CONSTRAINT fk_spkt_attachments_report_id_spkt_reports
        REFERENCES spkt_reports (id),
    filename text NOT NULL,
    media_type text NOT NULL,
    size_bytes integer NOT NULL,
    sha256 text NOT NULL,
    data bytea NOT NULL,
    description text NOT NULL DEFAULT '',
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_spkt_attachments_report_id ON spkt_attachments (report_id);

CREATE TABLE jurisdiction_officials (
    id serial CONSTRAINT pk_jurisdiction_officials PRIMARY KEY,
    jurisdiction_id integer NOT NULL
        CONSTRAINT fk_jurisdiction_officials_jurisdiction_id_jurisdictions
        REFERENCES jurisdictions (id),
    position text NOT NULL CONSTRAINT ck_jurisdiction_officials_position
        CHECK (position IN ('kapolda', 'kapolres', 'kapolsek')),
    name text NOT NULL,
    rank text NOT NULL DEFAULT '',
    nrp text NOT NULL DEFAULT '',
    since timestamptz NOT NULL DEFAULT now(),
    until timestamptz
);
CREATE INDEX ix_jurisdiction_officials_jurisdiction_id ON jurisdiction_officials (jurisdiction_id);
"""

APPEND_ONLY = """
CREATE FUNCTION spkt_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$;
"""
APPEND_ONLY_TABLES = ("spkt_documents", "spkt_report_events", "spkt_attachments")


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(APPEND_ONLY)
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION spkt_append_only()"
        )


def downgrade() -> None:
    for table in (
        "jurisdiction_officials",
        "spkt_attachments",
        "spkt_report_events",
        "spkt_investigators",
        "spkt_assessments",
        "spkt_documents",
        "spkt_number_sequences",
        "spkt_reports",
    ):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP FUNCTION spkt_append_only()")
