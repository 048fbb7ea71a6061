"""`siaga units devices ...`: the HTTP trackers of units (Traccar Client, Traccar-forwarded
devices). Every issue and revocation is audited like broker credentials."""

from __future__ import annotations

import typer

from api.cli import CLI_ACTOR, _audit, _session
from core.settings import Settings, get_settings

devices_app = typer.Typer(
    help="HTTP trackers of units: Traccar Client phones and devices a Traccar server forwards.",
    no_args_is_help=True,
)


@devices_app.command("add")
def devices_add(
    call_sign: str,
    protocol: str = typer.Option(
        "osmand", help="osmand (Traccar Client app) or traccar (forwarded by a Traccar server)"
    ),
    unique_id: str = typer.Option("", help="traccar: the device's identifier in Traccar"),
    label: str = typer.Option("", help="What the device is (phone model, vehicle tracker)"),
    server_url: str = typer.Option(
        "", help="osmand: address phones reach Siaga at (default SIAGA_TRACKERS_PUBLIC_URL)"
    ),
) -> None:
    """Register a tracker for a unit; an osmand identifier (and set-up QR code) is printed once."""
    from tracking.devices import issue_device

    settings = get_settings()
    with _session(settings) as session:
        row, identifier = issue_device(
            session,
            call_sign=call_sign,
            protocol=protocol,
            unique_id=unique_id or None,
            label=label,
            issued_by=CLI_ACTOR,
        )
        shown = identifier if protocol == "traccar" else "(secret)"
        _audit(session, "tracker_device_added", call_sign=call_sign, protocol=protocol,
               device_id=row.id, unique_id=shown)  # fmt: skip
        device_id = row.id
    if protocol == "osmand":
        typer.echo(f"unit {call_sign}: device {device_id}, identifier {identifier}")
        _print_setup(server_url or settings.trackers_public_url, identifier, settings)
    else:
        typer.echo(f"unit {call_sign}: device {device_id}, Traccar uniqueId {identifier}")


def _print_setup(server_url: str, identifier: str, settings: Settings) -> None:
    """The Traccar Client 9 set-up URL and its QR code (Settings > scan), or what to type."""
    if not server_url:
        typer.echo("Traccar Client: server URL https://<siaga-host>/osmand, this identifier")
        return
    import segno

    from tracking.devices import client_config_url

    url = client_config_url(server_url, identifier, stale_s=settings.unit_fix_stale_s)
    typer.echo(f"Traccar Client set-up (scan in the app's settings): {url}")
    segno.make(url, error="m").terminal(compact=True)


@devices_app.command("revoke")
def devices_revoke(device_id: int) -> None:
    """Stop accepting a device's reports (its identifier is refused from now on)."""
    from tracking.devices import revoke_device

    with _session(get_settings()) as session:
        row = revoke_device(session, device_id=device_id)
        _audit(session, "tracker_device_revoked", device_id=row.id, protocol=row.protocol)
    typer.echo(f"device {device_id}: revoked")


@devices_app.command("list")
def devices_list(
    call_sign: str = typer.Argument("", help="Only this unit's devices"),
    all_: bool = typer.Option(False, "--all", help="Include revoked"),
) -> None:
    """List units' HTTP trackers (an osmand identifier is never shown again)."""
    from tracking.devices import list_devices

    with _session(get_settings()) as session:
        rows = list_devices(session, call_sign=call_sign or None, include_revoked=all_)
        for row in rows:
            state = f"revoked {row.revoked_at:%Y-%m-%dT%H:%MZ}" if row.revoked_at else "active"
            name = row.unique_id or "-"
            typer.echo(
                f"{row.id:>5} {row.call_sign:16} {row.protocol:8} {name:24} "
                f"{row.issued_at:%Y-%m-%dT%H:%MZ} {state} {row.label}"
            )


def serve_trackers() -> None:
    """Serve only the tracker inputs (/osmand, "/", /traccar) and /health on their own port
    (SIAGA_TRACKERS_HTTP_HOST / SIAGA_TRACKERS_HTTP_PORT, 5055 as Traccar)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "api.tracker_app:tracker_app_factory",
        factory=True,
        host=settings.trackers_http_host,
        port=settings.trackers_http_port,
        log_level=settings.log_level.lower(),
    )
