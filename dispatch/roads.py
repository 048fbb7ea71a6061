"""The process-wide road graph named by the settings."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from dispatch.routing import RoadGraph, load_road_graph


def road_graph_path(settings: Settings) -> Path | None:
    """Where the configured road graph lives (relative paths are under shared_data_dir)."""
    if not settings.dispatch_road_graph:
        return None
    path = Path(settings.dispatch_road_graph)
    return path if path.is_absolute() else settings.shared_data_dir / path


def road_graph(settings: Settings) -> RoadGraph | None:
    """The loaded graph (cached per process), or None when none is configured or found."""
    path = road_graph_path(settings)
    return load_road_graph(str(path)) if path else None


def road_route(
    settings: Settings, *, origin: tuple[float, float], target: tuple[float, float], kind: str
) -> list[tuple[float, float]] | None:
    """The road path (lon, lat) a unit of `kind` takes to a target (for maps); None off-network."""
    graph = road_graph(settings)
    return graph.path_to(origin, target, kind=kind) if graph else None
