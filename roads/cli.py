"""`siaga roads build|status|calibrate`, and building the demo's road data in `siaga demo`."""

from __future__ import annotations

from pathlib import Path

import typer

from core.settings import Settings, get_settings

roads_app = typer.Typer(help="Road data for ETAs and routes (OSRM).", no_args_is_help=True)


def _say(message: str) -> None:
    typer.echo(f"[roads] {message}")


@roads_app.command("build")
def build(
    pbf: Path = typer.Argument(..., help="OpenStreetMap extract (.osm.pbf) to route on"),
) -> None:
    """Build car (R4) and motorcycle (R2) routing data; the API switches to it on next use."""
    from roads.build import build_roads
    from roads.service import roads_dir

    settings = get_settings()
    build_roads(pbf, roads_dir(settings), speeds_path=settings.roads_speeds_file, say=_say)


@roads_app.command("status")
def status() -> None:
    """Show which extract the current road data was built from."""
    from roads.build import build_info, current_build
    from roads.service import roads_dir

    current = current_build(roads_dir(get_settings()))
    if current is None:
        typer.echo("no road data built yet: run `siaga roads build FILE.osm.pbf`")
        raise typer.Exit(1)
    info = build_info(current)
    typer.echo(f"{current}\n  source {info['source']}\n  built {info['built_at']}")
    for kind, seconds in info["seconds"].items():
        typer.echo(f"  {kind}: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))


@roads_app.command("calibrate")
def calibrate(
    days: int = typer.Option(30, min=1, help="Use en-route GPS history of this many days"),
    jurisdiction_id: list[int] = typer.Option(
        [], help="Only units homed here (repeat for a Polres and its Polsek)"
    ),
    write: Path | None = typer.Option(None, help="Write the calibrated speeds file here"),
) -> None:
    """Fit speeds per road class from the fleet's GPS while en route; print beside the current."""
    from datetime import UTC, datetime, timedelta

    from core.db import make_engine, make_session_factory, session_scope
    from roads.calibrate import ClassSpeeds, observe
    from roads.config import calibrated_text, speeds_file
    from roads.service import roads_for
    from tracking.traces import en_route_traces

    settings = get_settings()
    roads = roads_for(settings)
    if roads.engine is None or roads.engine.network is None:
        typer.echo("no road data: run `siaga roads build FILE.osm.pbf` first")
        raise typer.Exit(1)
    engine = make_engine(settings, pool_size=1)
    since = datetime.now(UTC) - timedelta(days=days)
    with session_scope(make_session_factory(engine)) as session:
        traces = en_route_traces(
            session, since=since, home_jurisdiction_ids=jurisdiction_id or None
        )
    engine.dispose()
    if not traces:
        typer.echo(f"no en-route GPS traces in the last {days} days: nothing to fit")
        raise typer.Exit(1)
    fitted = {}
    for kind, kind_traces in sorted(traces.items()):
        if kind not in roads.engine.kinds():
            continue
        observed = ClassSpeeds()
        observe(roads.engine, kind, kind_traces, observed)
        fitted[kind] = observed.fitted_kmh()
        _print_table(
            kind, roads.profiles[kind].highway_kmh, observed, fitted[kind], len(kind_traces)
        )
    if write is not None:
        source = speeds_file(settings.roads_speeds_file)
        note = f"calibrated {datetime.now(UTC):%Y-%m-%d} from {days} days of fleet GPS (en route)"
        write.write_text(calibrated_text(source.read_text(), fitted, note))
        typer.echo(f"written {write}: set SIAGA_ROADS_SPEEDS_FILE={write} and rebuild the roads")


def _print_table(kind: str, current: dict, observed, fitted: dict, traces: int) -> None:  # noqa: ANN001
    typer.echo(f"{kind}: {traces} en-route traces")
    typer.echo(f"  {'class':<16}{'current':>9}{'fitted':>9}{'km seen':>9}")
    for cls in sorted(set(current) | set(observed.metres)):
        seen_km = observed.metres.get(cls, 0.0) / 1000
        now_kmh = f"{current[cls]:g}" if cls in current else "-"
        new_kmh = f"{fitted[cls]:g}" if cls in fitted else "-"
        typer.echo(f"  {cls:<16}{now_kmh:>9}{new_kmh:>9}{seen_km:>9.1f}")


@roads_app.command("ensure")
def ensure() -> None:
    """Build the demo extract's road data unless it is current (setup runs this)."""
    demo_setup(get_settings())


def register(app: typer.Typer) -> None:
    """Add `siaga roads ...` to the `siaga` command."""
    app.add_typer(roads_app, name="roads")


def demo_setup(settings: Settings) -> None:
    """Build the demo extract's road data unless the current build is already from it."""
    from roads.build import ensure_roads
    from roads.service import roads_dir, source_pbf

    pbf = source_pbf(settings)
    if not pbf.is_file():
        _say(f"no OSM extract at {pbf}: ETAs use straight lines until `siaga roads build`")
        return
    ensure_roads(pbf, roads_dir(settings), speeds_path=settings.roads_speeds_file, say=_say)
