"""Plain factories for SPKT tests: a named Polda/Polres/Polsek tree, desk actors, reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth import create_user
from api.models import User
from jurisdictions.models import Jurisdiction
from spkt.access import Actor
from spkt.schemas import ReportCreate
from tests.conftest import _test_password_hash

# Inside the synthetic boxes below (Balikpapan Kota area).
LON, LAT = 116.84, -1.265


@dataclass
class Tree:
    polda: Jurisdiction
    polres: Jurisdiction
    polsek: Jurisdiction
    other_polres: Jurisdiction

    def ids(self) -> list[int]:
        return [j.id for j in (self.polda, self.polres, self.polsek, self.other_polres)]


def _jurisdiction(session: Session, *, name: str, level: str, parent, bounds, **kw) -> Jurisdiction:  # noqa: ANN001
    row = Jurisdiction(
        code=f"S{uuid.uuid4().hex[:8]}",
        name=name,
        level=level,
        parent_id=parent.id if parent else None,
        geom=from_shape(MultiPolygon([box(*bounds)]), srid=4326),
        **kw,
    )
    session.add(row)
    session.flush()
    return row


def make_tree(session: Session, *, tag: str = "") -> Tree:
    """Polda Kalimantan Timur (WITA) -> Polres Balikpapan -> Polsek Balikpapan Kota."""
    tag = tag or uuid.uuid4().hex[:4].upper()
    polda = _jurisdiction(
        session,
        name=f"Polda Kalimantan Timur {tag}",
        level="polda",
        parent=None,
        bounds=(116.6, -1.5, 117.1, -1.0),
        timezone="WITA",
    )
    polres = _jurisdiction(
        session,
        name=f"Polres Balikpapan {tag}",
        level="polres",
        parent=polda,
        bounds=(116.80, -1.29, 116.88, -1.24),
    )
    polsek = _jurisdiction(
        session,
        name=f"Polsek Balikpapan Kota {tag}",
        level="polsek",
        parent=polres,
        bounds=(116.80, -1.29, 116.88, -1.24),
    )
    other = _jurisdiction(
        session,
        name=f"Polres Penajam {tag}",
        level="polres",
        parent=polda,
        bounds=(116.6, -1.5, 116.79, -1.3),
    )
    return Tree(polda, polres, polsek, other)


def make_user(session: Session, role: str, jurisdiction_id: int | None, **kw: Any) -> User:
    return create_user(
        session,
        username=f"t-{role}-{uuid.uuid4().hex[:8]}",
        password_hash=_test_password_hash(),
        role=role,
        jurisdiction_id=jurisdiction_id,
        **kw,
    )


def actor_for(session: Session, user: User) -> Actor:
    """The Actor the API would build for this user."""
    from jurisdictions.service import descendant_ids

    scope = None
    if user.role != "admin" and user.jurisdiction_id is not None:
        scope = frozenset(descendant_ids(session, jurisdiction_id=user.jurisdiction_id))
    return Actor(
        username=user.username,
        role=user.role,
        user_id=user.id,
        jurisdiction_id=user.jurisdiction_id,
        scope_ids=scope,
        function_code=user.function_code,
    )


def desk(session: Session, jurisdiction: Jurisdiction) -> Actor:
    return actor_for(session, make_user(session, "spkt", jurisdiction.id))


def reskrim(session: Session, jurisdiction: Jurisdiction) -> Actor:
    return actor_for(session, make_user(session, "desk", jurisdiction.id, function_code="reskrim"))


def reporter(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Siti Rahmawati",
        "nik": "6471054403900002",
        "birth_place": "Balikpapan",
        "birth_date": "1990-03-04",
        "address": "Jl. Ahmad Yani No. 12, Balikpapan Tengah",
        "phone": "081234567890",
        "occupation": "Wiraswasta",
    }
    body.update(overrides)
    return body


def report_body(kind: str = "pidana", **overrides: Any) -> dict[str, Any]:
    """A valid POST /api/spkt/reports body (walk-in)."""
    body: dict[str, Any] = {
        "kind": kind,
        "reporter": reporter(),
        "category": "pencurian",
        "what": "Sepeda motor Honda Beat KT 1234 AB hilang dari parkiran",
        "occurred_at": "2026-12-02T10:30:00+08:00",
        "place": "Parkiran Pasar Klandasan, Jl. Jenderal Sudirman",
        "lon": LON,
        "lat": LAT,
        "involved": "Terlapor belum diketahui",
        "witnesses": [{"name": "Andi Wijaya", "phone": "081355550000", "statement": "Melihat"}],
    }
    if kind == "kehilangan":
        body.update(
            category=None,
            what="Dompet berisi KTP dan SIM C jatuh di angkot",
            lost_items=[
                {"item": "ktp", "number": "6471054403900002"},
                {"item": "sim", "number": "9012-3456-789012", "note": "SIM C"},
            ],
        )
    body.update(overrides)
    return body


def report_data(kind: str = "pidana", **overrides: Any) -> ReportCreate:
    return ReportCreate.model_validate(report_body(kind, **overrides))


def signer() -> dict[str, str]:
    return {"name": "Rudi Hartono", "rank": "IPTU", "nrp": "85061234", "position": "Ka SPKT"}


# Rows of reports in the given jurisdictions (plain statements: no SQL built from strings).
_BY_REPORT = {
    table: f"DELETE FROM {table} USING spkt_reports r "  # noqa: S608  (fixed table names)
    "WHERE report_id = r.id AND r.jurisdiction_id = ANY(:j)"
    for table in (
        "spkt_documents",
        "spkt_report_events",
        "spkt_attachments",
        "spkt_assessments",
        "spkt_investigators",
    )
}


_CHUNKS_BY_REPORT = (
    "DELETE FROM spkt_attachment_chunks c USING spkt_attachments a, spkt_reports r "
    "WHERE c.attachment_id = a.id AND a.report_id = r.id AND r.jurisdiction_id = ANY(:j)"
)


def purge_spkt(session: Session, *, jurisdiction_ids: list[int]) -> None:
    """Remove committed SPKT rows of these jurisdictions (append-only triggers off, in this
    transaction only), then the jurisdictions."""
    ids = {"j": jurisdiction_ids}
    tables = ("spkt_documents", "spkt_report_events", "spkt_attachments", "spkt_attachment_chunks")
    for table in tables:
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
    session.execute(text(_CHUNKS_BY_REPORT), ids)
    for table in ("spkt_documents", "spkt_report_events", "spkt_attachments"):
        session.execute(text(_BY_REPORT[table]), ids)
    for statement in (
        _BY_REPORT["spkt_assessments"],
        _BY_REPORT["spkt_investigators"],
        "DELETE FROM spkt_lp_requests WHERE jurisdiction_id = ANY(:j)",
        "DELETE FROM spkt_reports WHERE jurisdiction_id = ANY(:j)",
        "DELETE FROM spkt_number_sequences WHERE jurisdiction_id = ANY(:j)",
        "DELETE FROM users WHERE jurisdiction_id = ANY(:j)",
        "DELETE FROM jurisdictions WHERE id = ANY(:j) AND level = 'polsek'",
        "DELETE FROM jurisdictions WHERE id = ANY(:j) AND level = 'polres'",
        "DELETE FROM jurisdictions WHERE id = ANY(:j)",
    ):
        session.execute(text(statement), ids)
    for table in tables:
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
    session.commit()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
