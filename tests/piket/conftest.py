"""Piket fixtures: the synthetic dispatch area (Polda -> Polres -> Polsek) and its people."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from api.models import User
from tests.dispatch.factories import Area, make_area
from tests.piket.factories import make_user


@dataclass
class People:
    perwira_a: User
    perwira_b: User
    reskrim: User
    reskrim_other: User
    lantas: User


@pytest.fixture
def area(db_session: Session) -> Area:
    return make_area(db_session)


@pytest.fixture
def people(db_session: Session, area: Area) -> People:
    return People(
        perwira_a=make_user(db_session, "perwira_piket", area.polda, full_name="Andi Wijaya"),
        perwira_b=make_user(db_session, "perwira_piket", area.polda, full_name="Sari Dewi"),
        reskrim=make_user(db_session, "desk", area.polres, function_code="reskrim"),
        reskrim_other=make_user(db_session, "desk", area.other_polres, function_code="reskrim"),
        lantas=make_user(db_session, "desk", area.polres, function_code="lantas"),
    )
