"""Plain factory functions for tracking tests."""

from __future__ import annotations

import time
import uuid

from sqlalchemy.orm import Session

from jurisdictions.models import Jurisdiction
from tracking.decode import Fix
from tracking.models import Unit
from tracking.service import create_unit
from tracking.writer import StagedFix


def call_sign(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_unit(session: Session, *, kind: str = "R4", home: int | None = None) -> Unit:
    return create_unit(session, call_sign=call_sign(), kind=kind, home_jurisdiction_id=home)


def make_polsek(session: Session, code: str = "T-PS") -> Jurisdiction:
    square = (
        "MULTIPOLYGON(((116.80 -1.29, 116.88 -1.29, 116.88 -1.24, 116.80 -1.24, 116.80 -1.29)))"
    )
    row = Jurisdiction(
        code=f"{code}-{uuid.uuid4().hex[:6]}",
        name="Polsek Uji",
        level="polsek",
        geom=f"SRID=4326;{square}",
    )
    session.add(row)
    session.flush()
    return row


def stage(unit_id: int, at: float, lon: float = 116.84) -> StagedFix:
    raw = f'{{"lon": {lon}, "lat": -1.26, "fixed_at": {at}}}'
    return StagedFix(unit_id, Fix(lon, -1.26, at, 10.0, 90.0, 5.0, raw), time.time())
