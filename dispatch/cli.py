"""`siaga dispatch-worker` and the dispatch part of `siaga demo`."""

from __future__ import annotations

import typer

from core.settings import Settings, get_settings


def register(app: typer.Typer) -> None:
    """Add the dispatch commands to the `siaga` command."""

    @app.command("dispatch-worker")
    def dispatch_worker(
        tick_s: float = typer.Option(1.0, help="Seconds between checks"),
    ) -> None:
        """Escalation, job ack timeout / re-send / alert, GPS arrival, silent HTTP trackers."""
        from dispatch.worker import run_worker

        run_worker(get_settings(), tick_s=tick_s)

    @app.command("dispatch-describe")
    def dispatch_describe() -> None:
        """Describe the stored incidents that have no place description yet (older data)."""
        from core.db import make_engine, make_session_factory
        from dispatch.relocate import describe_missing

        with make_session_factory(make_engine(get_settings()))() as session:
            typer.echo(f"{describe_missing(session)} laporan diberi keterangan lokasi")

    @app.command("dispatch-eta")
    def dispatch_eta(
        origin: str = typer.Option(..., help="Unit position as LON,LAT"),
        to: str = typer.Option(..., help="Incident position as LON,LAT"),
        kind: str = typer.Option("R4", help="R4 car, R2 motorcycle, boat, other"),
        hour: int = typer.Option(10, min=0, max=23, help="Local hour (peak hours are slower)"),
        turns: bool = typer.Option(False, help="Print the turn list too"),
    ) -> None:
        """Print the ETA between two points with the built road data (a check for people)."""
        from roads.service import estimate_etas, roads_for, route_to

        (from_lon, from_lat), (to_lon, to_lat) = _lon_lat(origin), _lon_lat(to)
        roads = roads_for(get_settings())
        straight_m = _haversine_m(from_lon, from_lat, to_lon, to_lat)
        units = [(kind, from_lon, from_lat, straight_m)]
        (eta,) = estimate_etas(roads, target=(to_lon, to_lat), hour=hour, units=units)
        road = f", {eta.road_distance_m:.0f} m by road" if eta.road_distance_m else ""
        typer.echo(f"{kind}: {eta.eta_s:.0f} s, {eta.how}{road} (straight line {straight_m:.0f} m)")
        if turns:
            route = route_to(
                roads, kind=kind, origin=(from_lon, from_lat), target=(to_lon, to_lat), hour=hour
            )
            for turn in route["turns"] if route else []:
                typer.echo(f"  {turn['text']}")


def _lon_lat(value: str) -> tuple[float, float]:
    try:
        lon, lat = (float(part) for part in value.split(","))
    except ValueError as exc:
        raise typer.BadParameter(f"expected LON,LAT, got {value!r}") from exc
    return lon, lat


def _haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]


def demo_processes(settings: Settings, exe: list[str]) -> list[tuple[str, list[str]]]:
    """The dispatch worker runs beside the API in the demo."""
    return [("dispatch", [*exe, "dispatch-worker"])]
