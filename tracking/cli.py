"""`siaga ingest`, `siaga simulate`, `siaga units ...`, and the tracking part of `siaga demo`."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

import typer

from core.db import make_engine, make_session_factory, session_scope
from core.errors import SiagaError
from core.settings import Settings, get_settings
from tracking.partition import Partition

log = logging.getLogger("siaga.ingest")
units_app = typer.Typer(help="Patrol units: list, register, change status.", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def ingest(
    workers: int = typer.Option(0, help="Worker processes (0: SIAGA_INGEST_WORKERS)"),
    name: str = typer.Option("ingest", help="Instance prefix; unique per host (client ids)"),
    instance: str = typer.Option("", help="Run one worker with this instance id (client id)"),
    partition: str = typer.Option("0/1", help="With --instance: store the units of part i/N"),
) -> None:
    """Store fixes, acks, status and link reports from the broker's ingest stream (JetStream)."""
    settings = get_settings()
    try:
        part = Partition.parse(partition)
    except ValueError as exc:
        _fail(str(exc))
    if instance:
        _run_worker(settings, instance, part)
        return
    count = workers or settings.ingest_workers
    exe = [sys.executable, "-m", "core.cli", "ingest", "--name", name]
    supervise(
        [[*exe, "--instance", f"{name}-{i}", "--partition", f"{i}/{count}"] for i in range(count)]
    )


def _run_worker(settings: Settings, instance: str, partition: Partition) -> None:
    from tracking.worker import IngestWorker

    worker = IngestWorker(settings, instance, partition=partition)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    log.info("ingest worker %s starting", instance)
    worker.run()


def supervise(commands: list[list[str]], restart_delay_s: float = 1.0) -> None:
    """Run the worker commands; restart any that exits until SIGTERM/SIGINT."""
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stopping.update(now=True))
    procs = [subprocess.Popen(cmd) for cmd in commands]
    while not stopping["now"]:
        time.sleep(0.5)
        for i, proc in enumerate(procs):
            if proc.poll() is not None and not stopping["now"]:
                log.error("ingest worker %d exited (%s); restarting", i, proc.returncode)
                time.sleep(restart_delay_s)
                procs[i] = subprocess.Popen(commands[i])
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def simulate(
    units: int = typer.Option(40, min=1, help="Number of units"),
    interval_s: float = typer.Option(5.0, "--interval", min=0.1, help="Seconds between fixes"),
    dwell_s: float = typer.Option(90.0, "--dwell", min=0, help="Seconds on scene per job"),
    duration_s: float = typer.Option(0, "--duration", help="Stop after this (0: run forever)"),
    backfill: int = typer.Option(
        0, "--backfill", min=0, max=90, help="Write DAYS of past calls and drives, then exit"
    ),
) -> None:
    """Drive N simulated units (cars and motorcycles) that report GPS and take jobs."""
    from tracking.fleet import run_simulation

    if backfill:
        # The CLI is the composition root: the history goes through dispatch's services.
        from dispatch.backfill import run_backfill

        counts = run_backfill(get_settings(), days=backfill, units=units)
        typer.echo(
            f"backfilled {backfill} days: {counts['calls']} calls, {counts['pranks']} pranks, "
            f"{counts['dispatched']} dispatched (SINTETIS)"
        )
        return

    run_simulation(
        get_settings(),
        units=units,
        interval_s=interval_s,
        dwell_s=dwell_s,
        duration_s=duration_s or None,
    )


@units_app.command("list")
def units_list(status: str = typer.Option("", help="Only units with this status")) -> None:
    """List units with status, link and fix age."""
    from tracking.service import list_units

    settings = get_settings()
    with _session(settings) as session:
        views = list_units(session, stale_s=settings.unit_fix_stale_s, status=status or None)
        for view in views:
            unit, age = view.unit, view.fix_age_s
            fix = (
                "no fix"
                if age is None
                else f"fix {age:.0f} s ago" + (" (stale)" if view.fix_stale else "")
            )
            link = "online" if unit.link_connected else "offline"
            typer.echo(f"{unit.call_sign:<16} {unit.kind:<5} {unit.status:<15} {link:<8} {fix}")


@units_app.command("add")
def units_add(
    call_sign: str,
    kind: str = typer.Option("R4", help="R4 (car), R2 (motorcycle), boat, other"),
    home: int = typer.Option(0, help="Home jurisdiction id (0: none)"),
) -> None:
    """Register a unit."""
    from tracking.service import create_unit

    with _session(get_settings()) as session:
        unit = create_unit(
            session, call_sign=call_sign, kind=kind, home_jurisdiction_id=home or None
        )
        typer.echo(f"unit {unit.call_sign} registered (id {unit.id})")


@units_app.command("status")
def units_status(call_sign: str, status: str, reason: str = typer.Option("", help="Why")) -> None:
    """Change a unit's status (allowed transitions only)."""
    from tracking.service import get_unit_by_call_sign, set_unit_status

    with _session(get_settings()) as session:
        unit = get_unit_by_call_sign(session, call_sign=call_sign)
        set_unit_status(session, unit_id=unit.id, status=status, reason=reason, actor="cli")
        typer.echo(f"{call_sign}: {status}")


@units_app.command("tracker")
def units_tracker(
    call_sign: str,
    kind: str = typer.Argument(..., help="siaga (acks jobs on MQTT), owntracks or hardware"),
    generate_key: bool = typer.Option(
        False, "--generate-key", help="New OwnTracks encryption key, printed once"
    ),
    key_stdin: bool = typer.Option(
        False, "--key-stdin", help="Read the OwnTracks encryption key from stdin"
    ),
    clear_key: bool = typer.Option(False, "--clear-key", help="Remove the OwnTracks key"),
    device: str | None = typer.Option(
        None, "--device", help="The OwnTracks app's Device ID (job notices); '' forgets it"
    ),
) -> None:
    """Set what reports for a unit; owntracks and hardware units get their jobs on /unit."""
    import secrets
    import sys

    from tracking.service import get_unit_by_call_sign
    from tracking.trackers import (
        TRACKER_LABELS,
        clear_owntracks_device,
        clear_owntracks_key,
        set_owntracks_device,
        set_owntracks_key,
        set_tracker_kind,
    )

    key = secrets.token_urlsafe(24) if generate_key else None
    if key_stdin:
        key = sys.stdin.readline().strip()
    with _session(get_settings()) as session:
        unit = get_unit_by_call_sign(session, call_sign=call_sign)
        set_tracker_kind(session, unit=unit, tracker_kind=kind)
        if clear_key:
            clear_owntracks_key(session, unit=unit)
        if key is not None:
            set_owntracks_key(session, unit=unit, passphrase=key, set_by="cli")
        if device:
            set_owntracks_device(session, unit=unit, device=device, set_by="cli")
        elif device == "":
            clear_owntracks_device(session, unit=unit)
    typer.echo(f"{call_sign}: {TRACKER_LABELS[kind]}")
    if generate_key:
        typer.echo(f"OwnTracks encryption key (enter it in the app; shown once): {key}")


class _session:
    """A committed session for one CLI command; domain errors become a clean exit 1."""

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings, pool_size=1)
        self.scope = session_scope(make_session_factory(self.engine))

    def __enter__(self):  # noqa: ANN204
        return self.scope.__enter__()

    def __exit__(self, exc_type, exc, tb) -> bool:  # noqa: ANN001
        try:
            self.scope.__exit__(exc_type, exc, tb)
        finally:
            self.engine.dispose()
        if isinstance(exc, SiagaError):
            _fail(exc.message)
        return False


def register(app: typer.Typer) -> None:
    """Add ingest, simulate and the units group to the `siaga` command."""
    app.command("ingest")(ingest)
    app.command("simulate")(simulate)
    app.add_typer(units_app, name="units")


def demo_setup(settings: Settings) -> None:
    """Register the demo fleet spread over the Polsek, each unit homed on one (idempotent)."""
    from tracking.fleet import demo_homes, ensure_fleet

    engine = make_engine(settings, pool_size=1)
    with session_scope(make_session_factory(engine)) as session:
        ensure_fleet(session, count=settings.demo_units, homes=demo_homes(session))
    engine.dispose()


def demo_processes(settings: Settings, exe: list[str]) -> list[tuple[str, list[str]]]:
    """The ingest workers (one supervisor) and the simulator for `siaga demo`."""
    procs = [("ingest", [*exe, "ingest"])]
    if settings.demo_units > 0:
        procs.append(("simulator", [*exe, "simulate", "--units", str(settings.demo_units)]))
    return procs
