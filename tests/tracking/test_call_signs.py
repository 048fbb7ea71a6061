"""Call signs become MQTT topic levels; the broker (nats-server 2.9) refuses '.' in topics and
closes the connection, so a call sign with a dot could never report: refused at registration."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from tracking.schemas import UnitCreate
from tracking.service import create_unit


def test_database_refuses_a_call_sign_with_a_dot(db_session):
    with pytest.raises(IntegrityError, match="ck_units_call_sign"):
        create_unit(db_session, call_sign="BPP.R4.01", kind="R4")
        db_session.flush()


def test_api_schema_refuses_a_call_sign_with_a_dot():
    with pytest.raises(ValidationError, match="call_sign"):
        UnitCreate(call_sign="BPP.R4.01", kind="R4")
    assert UnitCreate(call_sign="BPP-R4_01", kind="R4").call_sign == "BPP-R4_01"
