"""The tracking part of `siaga demo` and the CLI registration."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from core.db import make_session_factory, session_scope
from tracking.cli import demo_processes, demo_setup, register, units_app
from tracking.models import Unit


def test_demo_setup_is_idempotent(settings, engine):
    small = settings.model_copy(update={"demo_units": 6})
    demo_setup(small)
    demo_setup(small)
    with session_scope(make_session_factory(engine)) as session:
        query = select(Unit.kind, func.count()).where(Unit.call_sign.like("SIM-%"))
        kinds = dict(session.execute(query.group_by(Unit.kind)).all())
    assert kinds == {"R4": 4, "R2": 2}


def test_demo_processes_and_register(settings):
    procs = dict(demo_processes(settings.model_copy(update={"demo_units": 7}), ["siaga"]))
    assert procs == {
        "ingest": ["siaga", "ingest"],
        "simulator": ["siaga", "simulate", "--units", "7"],
    }
    app = typer.Typer()
    register(app)
    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert {"ingest", "simulate", "units"} <= names
    assert isinstance(units_app, typer.Typer)
