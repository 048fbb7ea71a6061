"""The state of a 110 report until it is settled: an LP (with its number), closed with a
disposition, forwarded and answered, or still open (and why)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.intake import get_incident
from dispatch.taxonomy import DISPOSITIONS
from spkt.models import SETTLED_STATUSES, Report
from spkt.taxonomy import STATUS_LABELS

STATE_LABELS = {
    "lp": "Menjadi Laporan Polisi",
    "spkt_selesai": "Diselesaikan di SPKT",
    "di_spkt": "Sedang ditangani SPKT",
    "menunggu_spkt": "Ditutup untuk LP, belum diterima SPKT",
    "diteruskan": "Diteruskan ke fungsi, belum dijawab",
    "ditutup": "Ditutup dengan disposisi",
    "terbuka": "Masih terbuka",
}


def _forwards(session: Session, incident_id: int) -> list[dict]:
    from piket.functions import function_label
    from piket.models import Forward

    rows = session.scalars(
        select(Forward).where(Forward.incident_id == incident_id).order_by(Forward.id)
    )
    return [
        {
            "function": f.function_code,
            "function_label": function_label(f.function_code),
            "status": f.status,
            "forwarded_at": f.forwarded_at,
            "result_at": f.result_at,
            "result": f.result_note,
        }
        for f in rows
    ]


def _state(incident, report: Report | None, forwards: list[dict]) -> str:  # noqa: ANN001
    if report is not None and report.lp_number:
        return "lp"
    if report is not None:
        return "spkt_selesai" if report.status in SETTLED_STATUSES else "di_spkt"
    if incident.disposition == "laporan_polisi":
        return "menunggu_spkt"
    if any(f["result_at"] is None for f in forwards):
        return "diteruskan"
    return "ditutup" if incident.closed_at is not None else "terbuka"


def incident_settlement(
    session: Session, *, incident_id: int, jurisdiction_ids: Collection[int] | None
) -> dict:
    """Where a 110 report stands on its way to being settled."""
    incident = get_incident(session, incident_id=incident_id, jurisdiction_ids=jurisdiction_ids)
    report = session.scalar(select(Report).where(Report.incident_id == incident.id))
    forwards = _forwards(session, incident.id)
    state = _state(incident, report, forwards)
    return {
        "incident_id": incident.id,
        "state": state,
        "state_label": STATE_LABELS[state],
        "settled": state in ("lp", "spkt_selesai", "ditutup"),
        "validity": incident.validity,
        "closed_at": incident.closed_at,
        "disposition": incident.disposition,
        "disposition_label": DISPOSITIONS.get(incident.disposition or ""),
        "spkt_report": None
        if report is None
        else {
            "id": report.id,
            "number": report.number,
            "status": report.status,
            "status_label": STATUS_LABELS[report.status],
            "lp_number": report.lp_number,
        },
        "forwards": forwards,
    }
