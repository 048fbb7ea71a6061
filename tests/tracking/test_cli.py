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


def test_units_tracker_sets_the_kind_and_the_owntracks_key(settings, engine, monkeypatch):
    from typer.testing import CliRunner

    from tests.tracking.factories import make_unit
    from tracking.trackers import owntracks_keys

    monkeypatch.setenv("SIAGA_DATABASE_URL", settings.database_dsn())
    with session_scope(make_session_factory(engine)) as session:
        unit = make_unit(session)
        unit_id, sign = unit.id, unit.call_sign
    runner = CliRunner()
    shown = runner.invoke(units_app, ["tracker", sign, "owntracks", "--generate-key"])
    assert shown.exit_code == 0, shown.output
    key = shown.output.rsplit(": ", 1)[-1].strip()
    with session_scope(make_session_factory(engine)) as session:
        assert session.get(Unit, unit_id).tracker_kind == "owntracks"
        assert owntracks_keys(session, [unit_id]) == {unit_id: key}
    typed = runner.invoke(units_app, ["tracker", sign, "owntracks", "--key-stdin"], input="x" * 33)
    assert typed.exit_code == 1 and "32 byte" in typed.output
    cleared = runner.invoke(units_app, ["tracker", sign, "siaga", "--clear-key"])
    assert cleared.exit_code == 0
    with session_scope(make_session_factory(engine)) as session:
        assert session.get(Unit, unit_id).tracker_kind == "siaga"
        assert owntracks_keys(session, [unit_id]) == {}
    bad = runner.invoke(units_app, ["tracker", sign, "pager"])
    assert bad.exit_code == 1 and "jenis pelacak" in bad.output
    from tracking.trackers import owntracks_device

    device = runner.invoke(units_app, ["tracker", sign, "owntracks", "--device", "hp"])
    assert device.exit_code == 0, device.output
    dotted = runner.invoke(units_app, ["tracker", sign, "owntracks", "--device", "hp.1"])
    assert dotted.exit_code == 1 and "huruf, angka" in dotted.output
    with session_scope(make_session_factory(engine)) as session:
        assert owntracks_device(session, unit_id=unit_id) == "hp"
    forgot = runner.invoke(units_app, ["tracker", sign, "owntracks", "--device", ""])
    assert forgot.exit_code == 0
    with session_scope(make_session_factory(engine)) as session:
        assert owntracks_device(session, unit_id=unit_id) is None
