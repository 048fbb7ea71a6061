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
        """Escalation timers, job ack timeout / re-send / alert, GPS arrival detection."""
        from dispatch.worker import run_worker

        run_worker(get_settings(), tick_s=tick_s)

    @app.command("dispatch-eta")
    def dispatch_eta(
        origin: str = typer.Option(..., help="Unit position as LON,LAT"),
        to: str = typer.Option(..., help="Incident position as LON,LAT"),
        kind: str = typer.Option("R4", help="R4 car, R2 motorcycle, boat, other"),
        peak: bool = typer.Option(False, help="Use peak-hour speeds"),
    ) -> None:
        """Print the ETA between two points with the loaded road graph (a check for people)."""
        from dispatch.roads import road_graph
        from dispatch.routing import estimate_etas

        (from_lon, from_lat), (to_lon, to_lat) = _lon_lat(origin), _lon_lat(to)
        graph = road_graph(get_settings())
        straight_m = _haversine_m(from_lon, from_lat, to_lon, to_lat)
        units = [(kind, from_lon, from_lat, straight_m)]
        (eta,) = estimate_etas(graph, lon=to_lon, lat=to_lat, peak=peak, units=units)
        typer.echo(f"{kind}: {eta.eta_s:.0f} s by {eta.method} (straight line {straight_m:.0f} m)")


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
