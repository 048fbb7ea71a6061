"""Issuing a Laporan Polisi (model A or B, Perkap 6/2019) with the reporter's STTLP.

Two steps, so that the unit's number is contended for as short a time as possible:

1. `request_laporan_polisi` (the caller's transaction): check, lock the report, write the LP
   with everything but its number as a pending request and settle the report as `lp_terbit`.
   The caller commits: many desks commit at once (no shared row).
2. `number_laporan_polisi`: one statement, spkt_number_lp() (migrations 1402, 1405), takes
   the key's advisory lock, numbers every committed pending request of the unit, series and
   year in request order, writes the LPs, STTLPs and logs, and answers with this report's LP
   and STTLP. The caller commits at once. One desk numbers for every desk waiting behind it;
   a desk whose LP another desk numbered meanwhile never takes the lock.

No gap, no duplicate: a request is committed before it is numbered; a numbering that rolls
back leaves the requests pending for the next numbering (any desk of the unit, the same
desk's retry, or `siaga spkt number-pending`). Both steps in one transaction also work (the
lock is then held until that transaction ends).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.errors import Conflict, InvalidInput, NotFound
from spkt.access import Actor, require_desk
from spkt.casework import latest_assessment
from spkt.content import local_time, long_date, report_content
from spkt.deadlines import SP2HP_INTERVAL
from spkt.models import SETTLED_STATUSES, Document, LpRequest, Report
from spkt.numbering import issuing_unit, number_parts
from spkt.schemas import LaporanPolisiCreate
from spkt.taxonomy import DOCUMENT_TITLES

_NUMBER_SQL = text(
    "SELECT report_id, number FROM spkt_number_lps(:jurisdiction_id, :series, :year, :request_id)"
)
SQL_DIR = Path(__file__).resolve().parent / "sql"
_NUMBER_ONE_SQL = text("SELECT * FROM spkt_number_lp(:request_id, :report_id)")
_REQUEST_SQL = text((SQL_DIR / "request_lp.sql").read_text()).bindparams(
    bindparam("signer", type_=JSONB),
    bindparam("content", type_=JSONB),
    bindparam("sttlp_content", type_=JSONB),
)
_PENDING_KEYS_SQL = text(
    "SELECT DISTINCT jurisdiction_id, series, year FROM spkt_lp_requests"
    " WHERE issued_at < CAST(:before AS timestamptz)"
)
# A desk numbers its own LP within a second of its request; one still pending after this was
# left by a desk that died between its two steps (the sweep leaves younger ones to the desk).
STALE_REQUEST = timedelta(seconds=30)


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


def pending_request(session: Session, *, report_id: int) -> LpRequest | None:
    """The report's LP waiting for its number, if any."""
    return session.scalar(select(LpRequest).where(LpRequest.report_id == report_id))


def request_laporan_polisi(
    session: Session,
    *,
    report: Report,
    data: LaporanPolisiCreate,
    actor: Actor,
    at: datetime | None = None,
) -> LpRequest:
    """Write the LP as a pending request and settle the report (the report row is locked)."""
    require_desk(actor)
    assessment = _check_allowed(session, report, data.model)
    at = at or datetime.now(UTC)
    unit = issuing_unit(session, jurisdiction_id=report.jurisdiction_id)
    series = f"LP/{data.model}"
    year, prefix, suffix = number_parts(unit=unit, series=series, at=at)
    content = {
        **report_content(report, unit),
        "model": data.model,
        "articles": data.articles or (assessment or {}).get("articles") or "",
        "assessment": assessment,
        "title": DOCUMENT_TITLES["laporan_polisi"],
        "issued": local_time(at, unit),
        "issued_date": long_date(at.astimezone(unit.zone).date()),
    }
    fields = {
        "report_id": report.id, "jurisdiction_id": report.jurisdiction_id, "model": data.model,
        "series": series, "year": year, "prefix": prefix, "suffix": suffix, "issued_at": at,
        "issued_by": actor.username, "role": actor.role, "signer": data.signer.model_dump(),
        "content": content, "sttlp_content": {**content, "title": DOCUMENT_TITLES["sttlp"]},
        "message": f"Laporan Polisi model {data.model} diterbitkan: ",
        "incident_id": report.incident_id, "next_sp2hp_due_at": at + SP2HP_INTERVAL,
    }  # fmt: skip
    request = session.scalars(select(LpRequest).from_statement(_REQUEST_SQL), fields).one()
    # The statement settled the report row too: the loaded report says so without a reload.
    for key, value in (("status", "lp_terbit"), ("settled_at", at),
                       ("next_sp2hp_due_at", request.next_sp2hp_due_at)):  # fmt: skip
        set_committed_value(report, key, value)
    return request


def number_pending(
    session: Session, *, jurisdiction_id: int, series: str, year: int, request_id: int | None = None
) -> list:
    """Number every committed pending LP of the key; the (report_id, number) rows numbered here.

    With `request_id`: nothing, if another desk numbered that request meanwhile. The caller
    commits right after: the key's lock, if taken, is held until then.
    """
    params = {"jurisdiction_id": jurisdiction_id, "series": series, "year": year,
              "request_id": request_id}  # fmt: skip
    return list(session.execute(_NUMBER_SQL, params))


def number_laporan_polisi(session: Session, *, request: LpRequest) -> tuple[Document, Document]:
    """Number the request (and any other pending one of its unit); its LP and STTLP.

    One statement (spkt_number_lp(), migration 1405): the key's lock, if this desk takes it,
    is held for that statement and the caller's commit right after it, nothing more.
    """
    report_id = request.report_id
    params = {"request_id": request.id, "report_id": report_id}
    documents = {
        d.kind: d for d in session.scalars(select(Document).from_statement(_NUMBER_ONE_SQL), params)
    }
    if request in session:
        session.expunge(request)  # the numbering deleted its row
    if "laporan_polisi" not in documents:
        raise NotFound(f"LP laporan {report_id} belum bernomor", field="report_id")
    lp = documents["laporan_polisi"]
    report = session.identity_map.get(session.identity_key(Report, report_id))
    if report is not None:  # the numbering wrote the report's LP number
        set_committed_value(report, "lp_number", lp.number)
    return lp, documents["sttlp"]


def issue_laporan_polisi(
    session: Session,
    *,
    report: Report,
    data: LaporanPolisiCreate,
    actor: Actor,
    at: datetime | None = None,
) -> tuple[Document, Document]:
    """Both steps in the caller's one transaction (the unit's lock is held until it ends)."""
    request = request_laporan_polisi(session, report=report, data=data, actor=actor, at=at)
    return number_laporan_polisi(session, request=request)


def number_all_pending(session: Session, *, before: datetime | None = None) -> int:
    """Number every pending LP of every unit requested before `before` (default: all), left
    by a desk that died between its two steps. The caller commits."""
    keys = session.execute(_PENDING_KEYS_SQL, {"before": before or datetime.now(UTC)}).all()
    return sum(
        len(number_pending(session, jurisdiction_id=j, series=s, year=y)) for j, s, y in keys
    )


def number_stale_pending(session: Session, *, now: datetime | None = None) -> int:
    """The periodic sweep (the piket worker): number the LPs pending longer than
    STALE_REQUEST, with every other pending LP of their unit. The caller commits."""
    return number_all_pending(session, before=(now or datetime.now(UTC)) - STALE_REQUEST)
