"""Issuing documents: Laporan Polisi (model A/B) with its STTLP, the lost-item letter, the
visum et repertum request, and corrections (a new document citing the old one)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from spkt.access import Actor, require_desk
from spkt.casework import log_both
from spkt.content import local_time, long_date, report_content
from spkt.models import SETTLED_STATUSES, Document, Report
from spkt.numbering import DocumentNumber, IssuingUnit, issuing_unit, next_number
from spkt.schemas import CorrectionCreate, Signer, VisumCreate
from spkt.taxonomy import DOCUMENT_TITLES

# Series each kind is numbered in (STTLP shares its LP's number).
KIND_SERIES = {"kehilangan": "SKTLK", "visum": "VER", "tanda_terima": "STPL"}


def build_document(
    report: Report,
    *,
    unit: IssuingUnit,
    kind: str,
    number: DocumentNumber,
    content: dict,
    signer: Signer | dict,
    actor: Actor,
    at: datetime,
    model: str | None = None,
    corrects_id: int | None = None,
) -> Document:
    signer_row = signer if isinstance(signer, dict) else signer.model_dump()
    return Document(
        report_id=report.id,
        jurisdiction_id=report.jurisdiction_id,
        kind=kind,
        model=model,
        series=number.series,
        year=number.year,
        sequence=number.sequence,
        number=number.number,
        issued_at=at,
        issued_by=actor.username,
        signer=signer_row,
        content={
            **content,
            "title": DOCUMENT_TITLES[kind],
            "issued": local_time(at, unit),
            "issued_date": long_date(at.astimezone(unit.zone).date()),
        },
        corrects_id=corrects_id,
    )


def issue_lost_item_letter(
    session: Session, *, report: Report, signer: Signer, actor: Actor, at: datetime | None = None
) -> Document:
    """The Surat Keterangan Tanda Lapor Kehilangan (free of charge); settles the report."""
    require_desk(actor)
    if report.kind != "kehilangan":
        raise Conflict("surat kehilangan hanya untuk laporan kehilangan", field="kind")
    if report.status in SETTLED_STATUSES:
        raise Conflict(f"laporan {report.number} sudah {report.status}", field="status")
    at = at or datetime.now(UTC)
    unit = issuing_unit(session, jurisdiction_id=report.jurisdiction_id)
    number = next_number(session, unit=unit, series="SKTLK", at=at)
    content = {**report_content(report, unit), "free_of_charge": True}
    letter = build_document(
        report,
        unit=unit,
        kind="kehilangan",
        number=number,
        content=content,
        signer=signer,
        actor=actor,
        at=at,
    )
    session.add(letter)
    report.status, report.settled_at = "selesai", at
    message = f"Surat keterangan tanda lapor kehilangan diterbitkan: {number.number}"
    log_both(
        session,
        report,
        actor,
        "kehilangan",
        message,
        public=True,
        at=at,
        detail={"number": number.number},
    )
    session.flush()
    return letter


def issue_visum_request(
    session: Session, *, report: Report, data: VisumCreate, actor: Actor, at: datetime | None = None
) -> Document:
    """A covering letter asking a hospital for a visum et repertum of a victim of violence."""
    require_desk(actor)
    if report.kind != "pidana":
        raise Conflict("permintaan visum hanya untuk laporan tindak pidana", field="kind")
    at = at or datetime.now(UTC)
    unit = issuing_unit(session, jurisdiction_id=report.jurisdiction_id)
    number = next_number(session, unit=unit, series="VER", at=at)
    content = report_content(report, unit)
    content["visum"] = {
        "hospital": data.hospital,
        "victim_name": data.victim_name,
        "victim_birth": long_date(data.victim_birth_date) if data.victim_birth_date else "-",
        "victim_address": data.victim_address or "-",
        "injuries": data.injuries,
    }
    letter = build_document(
        report,
        unit=unit,
        kind="visum",
        number=number,
        content=content,
        signer=data.signer,
        actor=actor,
        at=at,
    )
    session.add(letter)
    message = f"Surat permintaan visum et repertum ke {data.hospital}: {number.number}"
    log_both(session, report, actor, "visum", message, at=at, detail={"number": number.number})
    session.flush()
    return letter


def correct_document(
    session: Session, *, document: Document, data: CorrectionCreate, actor: Actor
) -> Document:
    """A new document in the same series that cites and replaces the old one's wording."""
    require_desk(actor)
    if document.kind in ("sttlp", "tanda_terima"):
        raise Conflict("tanda terima mengikuti dokumen induknya", field="document_id")
    if session.scalar(select(Document.id).where(Document.corrects_id == document.id)):
        raise Conflict(f"dokumen {document.number} sudah dibetulkan", field="document_id")
    unknown = sorted(set(data.changes) - set(document.content.get("fields", {})))
    if unknown:
        raise InvalidInput(f"isian tidak dikenal: {', '.join(unknown)}", field="changes")
    report = session.get(Report, document.report_id, with_for_update=True)
    at = datetime.now(UTC)
    unit = issuing_unit(session, jurisdiction_id=document.jurisdiction_id)
    number = next_number(session, unit=unit, series=document.series, at=at)
    content = copy.deepcopy(document.content)
    content["fields"].update(data.changes)
    content["corrects"] = {"number": document.number, "reason": data.reason}
    new = build_document(
        report,
        unit=unit,
        kind=document.kind,
        number=number,
        content=content,
        signer=data.signer,
        actor=actor,
        at=at,
        model=document.model,
        corrects_id=document.id,
    )
    session.add(new)
    if document.kind == "laporan_polisi":
        report.lp_number = number.number
    message = f"Dokumen {document.number} dibetulkan dengan {number.number}: {data.reason}"
    log_both(
        session,
        report,
        actor,
        "koreksi",
        message,
        at=at,
        detail={"number": number.number, "corrects": document.number},
    )
    session.flush()
    return new


def get_document(session: Session, *, document_id: int, scope_ids) -> Document:  # noqa: ANN001
    """One document in the caller's scope."""
    document = session.get(Document, document_id)
    if document is None or (scope_ids is not None and document.jurisdiction_id not in scope_ids):
        raise NotFound(f"dokumen {document_id} tidak ditemukan", field="document_id")
    return document


def list_documents(session: Session, *, report_id: int) -> list[Document]:
    query = select(Document).where(Document.report_id == report_id)
    return list(session.scalars(query.order_by(Document.issued_at, Document.id)))
