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
