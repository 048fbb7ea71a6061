"""The `siaga` command: services, migrations, API, demo; domains add their own groups."""

from __future__ import annotations

import importlib
import sys
import time

import httpx
import typer

from core.errors import SetupError
from core.logging import configure_logging
from core.settings import get_settings

app = typer.Typer(
    help="Siaga 110: dispatch and patrol tracking for the Polri 110 line.", no_args_is_help=True
)
services_app = typer.Typer(
    help="Embedded PostGIS cluster and nats-server MQTT broker.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(services_app, name="services")
app.add_typer(db_app, name="db")

# Each domain contributes a `register(app)` in its cli module (imported here, at the entry).
DOMAIN_CLIS = [
    "jurisdictions.cli",
    "places.cli",
    "roads.cli",
    "tracking.cli",
    "dispatch.cli",
    "spkt.cli",
    "api.cli",
    "piket.cli",
]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@services_app.command("up")
def services_up() -> None:
    """Start the embedded PostGIS and broker (unless SIAGA_* URLs point elsewhere)."""
    from core.embedded import ensure_postgres
    from core.embedded_broker import ensure_broker

    settings = get_settings()
    try:
        ensure_postgres(settings)
        ensure_broker(settings)
    except SetupError as exc:
        _fail(exc.message)
    services_status()


@services_app.command("down")
def services_down() -> None:
    """Stop the embedded PostGIS and broker."""
    from core.embedded import stop_postgres
    from core.embedded_broker import stop_broker

    settings = get_settings()
    typer.echo(f"postgres: {'stopped' if stop_postgres(settings) else 'was not running'}")
    typer.echo(f"broker:   {'stopped' if stop_broker(settings) else 'was not running'}")


@services_app.command("status")
def services_status() -> None:
    """Show where the database and broker are and whether they run."""
    from core.embedded import postgres_status
    from core.embedded_broker import broker_status

    settings = get_settings()
    typer.echo(f"postgres:  {postgres_status(settings)}")
    typer.echo(f"broker:    nats-server {broker_status(settings)}")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations."""
    from core.migrate import upgrade

    upgrade(get_settings(), revision=revision)
    typer.echo(f"database at {revision}")


@app.command("api")
def run_api(reload: bool = False) -> None:
    """Serve the API and pages (SIAGA_API_HOST / SIAGA_API_PORT)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "api.app:app_factory",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        reload=reload,
        log_level=settings.log_level.lower(),
    )


def _wait_healthy(url: str, timeout_s: float, *, need_ingest: bool) -> dict:
    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=2)
            last = response.json()
            ready = last.get("status") == "ok" or (not need_ingest and last["database"]["ok"])
            if response.status_code == 200 and ready:
                return last
        except (httpx.HTTPError, ValueError) as exc:
            last = exc
        time.sleep(0.5)
    raise SetupError(f"{url} not healthy after {timeout_s:.0f} s: {last}")


def _demo_processes(settings) -> list[tuple[str, list[str]]]:  # noqa: ANN001
    """The API plus what each domain's cli module lists in demo_processes(settings, exe)."""
    exe = [sys.executable, "-m", "core.cli"]
    procs = [("api", [*exe, "api"])]
    for module_name in DOMAIN_CLIS:
        module = _import_optional(module_name)
        if module is not None and hasattr(module, "demo_processes"):
            procs.extend(module.demo_processes(settings, exe))
    return procs


@app.command("demo")
def demo() -> None:
    """Start everything with a simulated fleet in the background and print the map URL."""
    from core.embedded import port_open
    from core.migrate import upgrade
    from core.processes import log_path, running_pid, start_process, stop_process

    settings = get_settings()
    services_up()
    upgrade(settings)
    for hook in _demo_hooks():
        hook(settings)
    stop_process(settings, "api")
    if running_pid(settings, "api") is None and port_open(settings.api_port, settings.api_host):
        _fail(f"port {settings.api_port} is taken by another process; set SIAGA_API_PORT")
    processes = _demo_processes(settings)
    for name, argv in processes:
        pid = start_process(settings, name, argv)
        typer.echo(f"started {name} (pid {pid}, log {log_path(settings, name)})")
    base = f"http://{settings.api_host}:{settings.api_port}"
    try:
        need_ingest = any(name == "ingest" for name, _ in processes)
        _wait_healthy(f"{base}/health", timeout_s=90, need_ingest=need_ingest)
    except SetupError as exc:
        _fail(f"{exc.message}\nsee {log_path(settings, 'api')}")
    typer.secho(
        f"Siaga 110 is running: {base}/commander  (health: {base}/health)", fg=typer.colors.GREEN
    )
    typer.echo("Stop it with: make stop")


@app.command("demo-data")
def demo_data() -> None:
    """Load the demo (migrations, then every domain's demo set-up) and start nothing.

    For servers run by something else (docker compose's demo service): idempotent.
    """
    from core.migrate import upgrade

    settings = get_settings()
    upgrade(settings)
    for hook in _demo_hooks():
        hook(settings)
    typer.echo("demo data loaded")


def _demo_hooks() -> list:
    """Domain set-up steps for the demo (load demo jurisdictions, register units, ...)."""
    hooks = []
    for module_name in DOMAIN_CLIS:
        module = _import_optional(module_name)
        if module is not None and hasattr(module, "demo_setup"):
            hooks.append(module.demo_setup)
    return hooks


@app.command("stop")
def stop(
    keep_services: bool = typer.Option(False, help="Leave PostGIS and the broker running"),
) -> None:
    """Stop what `siaga demo` started."""
    from core.processes import list_processes, stop_process

    settings = get_settings()
    for name in reversed(list_processes(settings)):
        if stop_process(settings, name):
            typer.echo(f"{name}: stopped")
    if not keep_services:
        services_down()


@app.command("health")
def service_health(
    service: str = typer.Argument(..., help="Worker name, e.g. ingest"),
    max_age_s: float = typer.Option(15.0, help="Oldest heartbeat that still counts"),
) -> None:
    """Exit 0 if a worker of SERVICE has beaten within max_age_s (container healthchecks)."""
    from core.db import make_engine, make_session_factory, session_scope
    from core.heartbeat import list_beats

    settings = get_settings()
    engine = make_engine(settings, pool_size=1)
    with session_scope(make_session_factory(engine)) as session:
        fresh = [b for b in list_beats(session, service) if float(b["age_s"]) <= max_age_s]
    engine.dispose()
    if not fresh:
        _fail(f"no heartbeat from {service} in the last {max_age_s:.0f} s")
    typer.echo(f"{service}: {len(fresh)} worker(s) alive")


def _import_optional(module_name: str):  # noqa: ANN202
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only a missing domain module is optional; a broken import inside one is an error.
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        return None


def main() -> None:
    """Console entry point."""
    configure_logging(get_settings().log_level)
    for module_name in DOMAIN_CLIS:
        module = _import_optional(module_name)
        if module is not None:
            module.register(app)
    try:
        app()
    except SetupError as exc:
        _fail(exc.message)


if __name__ == "__main__":
    main()
