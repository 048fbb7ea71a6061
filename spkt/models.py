"""SPKT rows: reports at the desk, issued documents, number sequences, the report log.

Documents and the report log are append-only (database triggers refuse UPDATE and DELETE):
a correction is a new document citing the old one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import api.models  # noqa: F401  (investigators are users)
import dispatch.models  # noqa: F401  (a report may come from a 110 incident)
from core.db import Base

REPORT_KINDS = ("pidana", "kehilangan", "pengaduan")
REPORT_SOURCES = ("walk_in", "110")
REPORTER_KINDS = ("masyarakat", "polri")
# diterima -> konsultasi (at Sat Reskrim) -> dinilai -> lp_terbit | ditutup; kehilangan -> selesai
REPORT_STATUSES = ("diterima", "konsultasi", "dinilai", "lp_terbit", "ditutup", "selesai")
SETTLED_STATUSES = ("lp_terbit", "ditutup", "selesai")
DOCUMENT_KINDS = ("tanda_terima", "laporan_polisi", "sttlp", "kehilangan", "visum")
ACCOUNTABLE_POSITIONS = ("kapolda", "kapolres", "kapolsek")
# The SPKT's signing officials: its head and the heads of its three piket shifts.
SPKT_POSITIONS = ("ka_spkt", "ka_siaga_1", "ka_siaga_2", "ka_siaga_3")
OFFICIAL_POSITIONS = ACCOUNTABLE_POSITIONS + SPKT_POSITIONS


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Report(Base):
    """A report received at an SPKT desk (walk-in, or handed over from a 110 incident)."""

    __tablename__ = "spkt_reports"
    __table_args__ = (
        CheckConstraint(_in("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(_in("source", REPORT_SOURCES), name="source"),
        CheckConstraint(_in("reporter_kind", REPORTER_KINDS), name="reporter_kind"),
        CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
        CheckConstraint("(source = '110') = (incident_id IS NOT NULL)", name="incident"),
        CheckConstraint("reporter_nik ~ '^[0-9]{16}$'", name="nik"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), unique=True)
    kind: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    number: Mapped[str] = mapped_column(Text, unique=True)  # the receipt (STPL) number
    status: Mapped[str] = mapped_column(Text, default="diterima", index=True)
    reporter_kind: Mapped[str] = mapped_column(Text, default="masyarakat")
    reporter_name: Mapped[str] = mapped_column(Text)
    reporter_nik: Mapped[str] = mapped_column(Text)
    reporter_birth_place: Mapped[str] = mapped_column(Text, default="")
    reporter_birth_date: Mapped[date] = mapped_column(Date)
    reporter_address: Mapped[str] = mapped_column(Text)
    reporter_phone: Mapped[str] = mapped_column(Text)
    reporter_occupation: Mapped[str] = mapped_column(Text, default="")
    reporter_nrp: Mapped[str | None] = mapped_column(Text)  # a Polri member's NRP (model A)
    category: Mapped[str] = mapped_column(Text)
    what: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    involved: Mapped[str] = mapped_column(Text, default="")  # who: terlapor, victims
    witnesses: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    lost_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    received_by: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settlement: Mapped[str | None] = mapped_column(Text)  # the reason when closed
    lp_number: Mapped[str | None] = mapped_column(Text, unique=True)
    next_sp2hp_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NumberSequence(Base):
    """The last number issued per issuing unit, series and year (gapless: same transaction)."""

    __tablename__ = "spkt_number_sequences"

    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    series: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class LpRequest(Base):
    """An LP committed by the desk and waiting for its number (spkt_number_lps() takes it)."""

    __tablename__ = "spkt_lp_requests"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("spkt_reports.id"), unique=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    model: Mapped[str] = mapped_column(Text)
    series: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(Text)  # the number reads prefix + sequence + suffix
    suffix: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[dict[str, Any]] = mapped_column(JSONB)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sttlp_content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    message: Mapped[str] = mapped_column(Text)  # the log line; the number is appended
    incident_id: Mapped[int | None] = mapped_column(Integer)
    next_sp2hp_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Document(Base):
    """An issued document (LP, STTLP, letters); never edited, a correction cites the old one."""

    __tablename__ = "spkt_documents"
    __table_args__ = (
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint("model IS NULL OR model IN ('A', 'B')", name="model"),
        UniqueConstraint("jurisdiction_id", "series", "year", "sequence", name="sequence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("spkt_reports.id"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    kind: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    series: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)  # None: shares its LP's number
    number: Mapped[str] = mapped_column(Text, unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(Text)
    signer: Mapped[dict[str, Any]] = mapped_column(JSONB)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)  # everything the PDF shows
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("spkt_documents.id"), unique=True)


class Assessment(Base):
    """Sat Reskrim's assessment at the gelar awal: a crime or not, articles, recommendation."""

    __tablename__ = "spkt_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("spkt_reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    assessed_by: Mapped[str] = mapped_column(Text)
    is_crime: Mapped[bool] = mapped_column(Boolean)
    articles: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(Text)


class Investigator(Base):
    """A user who investigates a report's case (sees the reporter's personal data)."""

    __tablename__ = "spkt_investigators"

    report_id: Mapped[int] = mapped_column(ForeignKey("spkt_reports.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    assigned_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    assigned_by: Mapped[str] = mapped_column(Text)


class ReportEvent(Base):
    """The report's log: who did what and when; public rows are SP2HP notices."""

    __tablename__ = "spkt_report_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("spkt_reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)  # Bahasa Indonesia
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class Attachment(Base):
    """Evidence attached to a report (photo, scan) with its SHA-256; bytes in its chunks."""

    __tablename__ = "spkt_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("spkt_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Official(Base):
    """An official of a jurisdiction over a period: the accountable one (Kapolda, Kapolres,
    Kapolsek) or an SPKT official who signs its documents (KA SPKT, KA SIAGA I-III)."""

    __tablename__ = "jurisdiction_officials"
    __table_args__ = (CheckConstraint(_in("position", OFFICIAL_POSITIONS), name="position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    position: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    rank: Mapped[str] = mapped_column(Text, default="")
    nrp: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AttachmentChunk(Base):
    """One 1 MiB piece of an evidence file, in order (`seq` from 0)."""

    __tablename__ = "spkt_attachment_chunks"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("spkt_attachments.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
