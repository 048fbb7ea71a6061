"""Receiving a report at the SPKT desk (walk-in or from a 110 incident) and its receipt."""

from __future__ import annotations

from datetime import UTC, datetime

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from dispatch.log import append_log
from dispatch.models import Incident
from jurisdictions.models import Jurisdiction
from spkt.access import Actor, require_desk
from spkt.deadlines import REPORT_DEADLINE
from spkt.events import append_event
from spkt.models import Report
from spkt.numbering import issuing_unit, next_number
from spkt.schemas import ReportCreate
from spkt.taxonomy import REPORT_KIND_LABELS

DESK_LEVELS = ("polres", "polsek")


def desk_jurisdiction(session: Session, *, actor: Actor, requested: int | None) -> int:
    """The issuing unit: the SPKT officer's own Polres/Polsek (an admin names one)."""
    jurisdiction_id = actor.jurisdiction_id if actor.role == "spkt" else requested
    if jurisdiction_id is None:
        raise InvalidInput("sebutkan meja SPKT (Polres/Polsek) penerima", field="jurisdiction_id")
    level = session.scalar(select(Jurisdiction.level).where(Jurisdiction.id == jurisdiction_id))
    if level not in DESK_LEVELS:
        raise InvalidInput("SPKT ada di Polres atau Polsek", field="jurisdiction_id")
    return jurisdiction_id


def _incident_for_handover(session: Session, *, incident_id: int, actor: Actor) -> Incident:
    incident = session.get(Incident, incident_id, with_for_update=True)
    where = (incident.polsek_id, incident.polres_id) if incident else ()
    if incident is None or not any(actor.in_scope(j) for j in where if j is not None):
        raise NotFound(f"laporan 110 #{incident_id} tidak ditemukan", field="incident_id")
    if incident.validity != "valid":
        raise Conflict(f"laporan 110 #{incident_id} belum divalidasi sah", field="incident_id")
    taken = session.scalar(select(Report.number).where(Report.incident_id == incident_id))
    if taken:
        raise Conflict(
            f"laporan 110 #{incident_id} sudah diterima SPKT: {taken}", field="incident_id"
        )
    return incident


def _chronology(data: ReportCreate, incident: Incident | None) -> dict:
    """What, when, where, category: from the form, else from the 110 incident."""
    from geoalchemy2.shape import to_shape

    point = Point(data.lon, data.lat) if data.lon is not None and data.lat is not None else None
    if incident is not None:
        point = point or to_shape(incident.geom)
    fields = {
        "what": data.what or (incident.description if incident else ""),
        "occurred_at": data.occurred_at or (incident.call_received_at if incident else None),
        "place": data.place or (incident.address if incident else ""),
        "category": data.category or (incident.category if incident else None),
    }
    if data.kind == "kehilangan":
        fields["category"] = "kehilangan"
    for name, label in (("what", "apa yang terjadi"), ("place", "tempat kejadian")):
        if not fields[name].strip():
            raise InvalidInput(f"{label} wajib diisi", field=name)
    if fields["occurred_at"] is None:
        raise InvalidInput("waktu kejadian wajib diisi", field="occurred_at")
    if fields["category"] is None:
        raise InvalidInput("kategori wajib diisi", field="category")
    if point is None:
        raise InvalidInput("lokasi kejadian di peta (lon, lat) wajib diisi", field="lon")
    fields["geom"] = from_shape(point, srid=4326)
    return fields


def _check_reporter(data: ReportCreate) -> None:
    if data.kind == "kehilangan" and not data.lost_items:
        raise InvalidInput("sebutkan barang/dokumen yang hilang", field="lost_items")
    if data.reporter.kind == "polri" and not data.reporter.nrp:
        raise InvalidInput("pelapor anggota Polri: NRP wajib diisi", field="reporter.nrp")


def receive_report(
    session: Session, *, data: ReportCreate, actor: Actor, at: datetime | None = None
) -> Report:
    """Receive a report: numbered at once (STPL) with its receipt, linked to its incident."""
    require_desk(actor)
    _check_reporter(data)
    at = at or datetime.now(UTC)
    jurisdiction_id = desk_jurisdiction(session, actor=actor, requested=data.jurisdiction_id)
    incident = None
    if data.incident_id is not None:
        incident = _incident_for_handover(session, incident_id=data.incident_id, actor=actor)
    unit = issuing_unit(session, jurisdiction_id=jurisdiction_id)
    number = next_number(session, unit=unit, series="STPL", at=at)
    report = Report(
        jurisdiction_id=jurisdiction_id,
        incident_id=incident.id if incident else None,
        kind=data.kind,
        source="110" if incident else "walk_in",
        number=number.number,
        status="diterima",
        **_reporter_columns(data),
        **_chronology(data, incident),
        involved=data.involved,
        witnesses=[w.model_dump() for w in data.witnesses],
        lost_items=[i.model_dump() for i in data.lost_items],
        received_by=actor.username,
        received_at=at,
        due_at=at + REPORT_DEADLINE[data.kind],
    )
    session.add(report)
    session.flush()
    _add_receipt(session, report=report, unit=unit, number=number, actor=actor, at=at)
    _log_received(session, report=report, incident=incident, actor=actor, at=at)
    return report


def _reporter_columns(data: ReportCreate) -> dict:
    r = data.reporter
    return {
        "reporter_kind": r.kind,
        "reporter_name": r.name.strip(),
        "reporter_nik": r.nik,
        "reporter_birth_place": r.birth_place,
        "reporter_birth_date": r.birth_date,
        "reporter_address": r.address,
        "reporter_phone": r.phone,
        "reporter_occupation": r.occupation,
        "reporter_nrp": r.nrp,
    }


def _add_receipt(session: Session, *, report: Report, unit, number, actor: Actor, at) -> None:  # noqa: ANN001
    from spkt.content import report_content
    from spkt.documents import build_document

    signer = {"name": actor.username, "rank": "", "nrp": "", "position": "Petugas SPKT"}
    content = report_content(report, unit)
    session.add(
        build_document(
            report,
            unit=unit,
            kind="tanda_terima",
            number=number,
            content=content,
            signer=signer,
            actor=actor,
            at=at,
        )
    )


def _log_received(session: Session, *, report: Report, incident, actor: Actor, at) -> None:  # noqa: ANN001
    label = REPORT_KIND_LABELS[report.kind]
    source = f" dari laporan 110 #{incident.id}" if incident else " (datang langsung)"
    append_event(
        session,
        report_id=report.id,
        actor=actor.username,
        role=actor.role,
        action="diterima",
        message=f"{label} diterima di SPKT{source}: {report.number}",
        public=True,
        detail={"number": report.number, "incident_id": report.incident_id},
        at=at,
    )
    if incident is not None:
        append_log(
            session,
            incident_id=incident.id,
            actor=actor.username,
            action="spkt_received",
            message=f"Diterima SPKT sebagai {label.lower()}: {report.number}",
            detail={"spkt_report_id": report.id, "number": report.number},
            at=at,
        )
