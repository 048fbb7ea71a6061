"""Issuing a Laporan Polisi (model A or B, Perkap 6/2019) with the reporter's STTLP.

Everything that does not need the number is done first; the number is taken by the last
statement before the caller's COMMIT (sql/issue_lp.sql), so two desks issuing at once wait on
the unit's counter row for one round trip only, and still get consecutive numbers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.errors import Conflict, InvalidInput
from spkt.access import Actor, require_desk
from spkt.casework import latest_assessment
from spkt.content import local_time, long_date, report_content
from spkt.deadlines import SP2HP_INTERVAL
from spkt.models import SETTLED_STATUSES, Document, Report
from spkt.numbering import issuing_unit, number_parts
from spkt.schemas import LaporanPolisiCreate
from spkt.taxonomy import DOCUMENT_TITLES

_ISSUE_SQL = text((Path(__file__).resolve().parent / "sql" / "issue_lp.sql").read_text())
ISSUE_SQL = _ISSUE_SQL.columns(*Document.__table__.columns)


def _check_allowed(session: Session, report: Report, model: str) -> dict | None:
    """Model A by a Polri member who knew of it, model B from the public's report after
    Sat Reskrim assessed it a crime. The assessment shown on the LP, if any."""
    if report.kind != "pidana":
        raise Conflict("Laporan Polisi hanya untuk laporan tindak pidana", field="kind")
    if report.status in SETTLED_STATUSES:
        raise Conflict(f"laporan {report.number} sudah {report.status}", field="status")
    if model == "A" and report.reporter_kind != "polri":
        raise InvalidInput("LP model A dibuat oleh anggota Polri sebagai pelapor", field="model")
    if model == "B" and report.reporter_kind != "masyarakat":
        raise InvalidInput("LP model B dibuat dari laporan masyarakat", field="model")
    assessment = latest_assessment(session, report_id=report.id)
    if model == "B" and (assessment is None or assessment.recommendation != "terbitkan_lp"):
        raise Conflict("LP model B menunggu penilaian Sat Reskrim: terbitkan LP", field="status")
    if assessment is None:
        return None
    return {"by": assessment.assessed_by, "articles": assessment.articles, "is_crime": True}


def issue_laporan_polisi(
    session: Session,
    *,
    report: Report,
    data: LaporanPolisiCreate,
    actor: Actor,
    at: datetime | None = None,
) -> tuple[Document, Document]:
    """Number and issue the LP and its STTLP; the report is settled as an LP.

    The caller commits right after: the unit's counter row is locked until then.
    """
    require_desk(actor)
    assessment = _check_allowed(session, report, data.model)
    at = at or datetime.now(UTC)
    unit = issuing_unit(session, jurisdiction_id=report.jurisdiction_id)
    series = f"LP/{data.model}"
    year, prefix, suffix = number_parts(unit=unit, series=series, at=at)
    articles = data.articles or (assessment or {}).get("articles") or ""
    content = {
        **report_content(report, unit),
        "model": data.model,
        "articles": articles,
        "assessment": assessment,
        "title": DOCUMENT_TITLES["laporan_polisi"],
        "issued": local_time(at, unit),
        "issued_date": long_date(at.astimezone(unit.zone).date()),
    }
    session.flush()  # anything pending goes before the number is taken
    params = {
        "jurisdiction_id": report.jurisdiction_id, "series": series, "year": year,
        "prefix": prefix, "suffix": suffix, "report_id": report.id, "model": data.model,
        "issued_at": at, "issued_by": actor.username, "role": actor.role,
        "signer": json.dumps(data.signer.model_dump()), "content": json.dumps(content),
        "message": f"Laporan Polisi model {data.model} diterbitkan: ",
        "incident_id": report.incident_id, "sttlp_title": DOCUMENT_TITLES["sttlp"],
        "next_sp2hp_due_at": at + SP2HP_INTERVAL,
    }  # fmt: skip
    lp, sttlp = session.scalars(select(Document).from_statement(ISSUE_SQL), params).all()
    settled = {"lp_number": lp.number, "status": "lp_terbit", "settled_at": at,
               "next_sp2hp_due_at": params["next_sp2hp_due_at"]}  # fmt: skip
    for name, value in settled.items():  # what the statement wrote: nothing left to flush
        set_committed_value(report, name, value)
    return lp, sttlp
