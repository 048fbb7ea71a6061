"""`siaga users ...` and `siaga units credentials ...`; demo users for `siaga demo`."""

from __future__ import annotations

import getpass
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import record_audit
from api.models import ROLES
from core.errors import SiagaError
from core.settings import Settings, get_settings

users_app = typer.Typer(help="API users and roles.", no_args_is_help=True)
credentials_app = typer.Typer(
    help="Per-unit broker credentials (rewrites the broker's password and ACL files).",
    no_args_is_help=True,
)
CLI_ACTOR = f"cli:{getpass.getuser()}"


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    from core.db import make_engine, make_session_factory, session_scope

    engine = make_engine(settings, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    except SiagaError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _audit(session: Session, action: str, **detail: object) -> None:
    record_audit(session, action=action, decision="allow", username=CLI_ACTOR, detail=detail)


@users_app.command("add")
def users_add(
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}"),
    jurisdiction_id: int | None = typer.Option(None, help="Polda/Polres/Polsek id"),
    unit: str | None = typer.Option(None, help="Call sign (role unit)"),
    function: str | None = typer.Option(None, help="Function code (role desk), e.g. reskrim"),
    full_name: str = typer.Option("", help="Name shown in the log"),
    password: str | None = typer.Option(None, help="Default: generated and printed once"),
) -> None:
    """Add a user; the password is stored as an argon2id hash only."""
    from api.auth import create_user

    password = password or secrets.token_urlsafe(12)
    with _session(get_settings()) as session:
        unit_id = _unit_id(session, unit) if unit else None
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            jurisdiction_id=jurisdiction_id,
            unit_id=unit_id,
            full_name=full_name,
            function_code=function,
        )
        _audit(session, "user_created", target=user.username, target_role=user.role)
    typer.echo(f"user {user.username} ({user.role}) added; password: {password}")


@users_app.command("bootstrap")
def users_bootstrap(
    username: str = typer.Option("admin", help="Name of the first administrator"),
) -> None:
    """First start: create the first administrator and print its password (once, never again)."""
    from api.auth import bootstrap_admin

    with _session(get_settings()) as session:
        password = bootstrap_admin(session, username=username)
        if password is not None:
            _audit(session, "user_created", target=username, target_role="admin")
    if password is None:
        typer.echo("an administrator exists already: none created, no password shown")
        return
    typer.echo(
        f"first administrator created: user {username}, password {password}\n"
        "this password is shown only now: log in and change it (siaga users passwd)"
    )


@users_app.command("list")
def users_list() -> None:
    """List users with role, jurisdiction and state."""
    from api.auth import list_users

    with _session(get_settings()) as session:
        for user in list_users(session):
            state = "disabled" if user.disabled_at else "active"
            where = f"jurisdiction {user.jurisdiction_id}" if user.jurisdiction_id else "national"
            unit = f" unit {user.unit_id}" if user.unit_id else ""
            typer.echo(f"{user.username:24} {user.role:16} {where}{unit} {state}")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user; their tokens stop working at the next request."""
    from api.auth import disable_user

    with _session(get_settings()) as session:
        user = disable_user(session, username=username)
        _audit(session, "user_disabled", target=user.username)
    typer.echo(f"user {user.username} disabled")


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Enable a disabled user again (they log in anew; old tokens stay invalid)."""
    from api.auth import enable_user

    with _session(get_settings()) as session:
        user = enable_user(session, username=username)
        _audit(session, "user_enabled", target=user.username)
    typer.echo(f"user {user.username} enabled")


@users_app.command("passwd")
def users_passwd(
    username: str,
    password: str | None = typer.Option(None, help="Default: generated and printed once"),
) -> None:
    """Set a user's password; their current tokens stop working."""
    from api.auth import set_password

    password = password or secrets.token_urlsafe(12)
    with _session(get_settings()) as session:
        user = set_password(session, username=username, password=password)
        _audit(session, "user_password_set", target=user.username)
    typer.echo(f"user {user.username}: new password: {password}")


def _unit_id(session: Session, call_sign: str) -> int:
    from tracking.models import Unit

    unit_id = session.scalar(select(Unit.id).where(Unit.call_sign == call_sign))
    if unit_id is None:
        raise SiagaError(f"unit {call_sign} tidak ada", field="unit")
    return unit_id


def _apply(session: Session, settings: Settings) -> None:
    from tracking.credentials import apply_to_broker

    reloaded = apply_to_broker(session, settings)
    if settings.broker_units_file is not None:
        typer.echo(f"{settings.broker_units_file} written: the broker reloads it within seconds")
    else:
        typer.echo(
            "broker reloaded" if reloaded else "broker not running: files written for its start"
        )


@credentials_app.command("issue")
def credentials_issue(call_sign: str) -> None:
    """Issue new broker credentials for a unit (revoking its previous ones); prints them once."""
    from tracking.credentials import issue_credentials

    settings = get_settings()
    with _session(settings) as session:
        row, password = issue_credentials(session, call_sign=call_sign, issued_by=CLI_ACTOR)
        _audit(session, "unit_credentials_issued", call_sign=call_sign, username=row.username)
    with _session(settings) as session:
        _apply(session, settings)
    typer.echo(f"unit {call_sign}: username {row.username} password {password}")
    typer.echo(f"topics: {settings.mqtt_topic_root}/units/{call_sign}/{{location,ack,status,link}}")


@credentials_app.command("revoke")
def credentials_revoke(call_sign: str) -> None:
    """Revoke a unit's broker credentials."""
    from tracking.credentials import revoke_credentials

    settings = get_settings()
    with _session(settings) as session:
        row = revoke_credentials(session, call_sign=call_sign)
        _audit(session, "unit_credentials_revoked", call_sign=call_sign, username=row.username)
    with _session(settings) as session:
        _apply(session, settings)
    typer.echo(f"unit {call_sign}: credentials revoked")


@credentials_app.command("list")
def credentials_list(all_: bool = typer.Option(False, "--all", help="Include revoked")) -> None:
    """List unit broker credentials."""
    from tracking.credentials import list_credentials

    with _session(get_settings()) as session:
        for row in list_credentials(session, include_revoked=all_):
            state = f"revoked {row.revoked_at:%Y-%m-%dT%H:%MZ}" if row.revoked_at else "active"
            typer.echo(
                f"{row.call_sign:16} {row.username:24} {row.issued_at:%Y-%m-%dT%H:%MZ} {state}"
            )


@credentials_app.command("sync")
def credentials_sync() -> None:
    """Rewrite the broker's files from the database (after a restore, or a failed rewrite)."""
    settings = get_settings()
    with _session(settings) as session:
        _apply(session, settings)


def _units_group(app: typer.Typer) -> typer.Typer:
    """Tracking's `siaga units` group if it registered one first; otherwise a new one."""
    for group in app.registered_groups:
        if group.name == "units" and group.typer_instance is not None:
            return group.typer_instance
    units_app = typer.Typer(help="Patrol units.", no_args_is_help=True)
    app.add_typer(units_app, name="units")
    return units_app


def register(app: typer.Typer) -> None:
    """Add `siaga users`, `siaga units credentials` and `siaga units devices`."""
    from api.devices_cli import devices_app, serve_trackers

    app.command("trackers-http")(serve_trackers)
    app.add_typer(users_app, name="users")
    _units_group(app).add_typer(credentials_app, name="credentials")
    _units_group(app).add_typer(devices_app, name="devices")


def demo_setup(settings: Settings) -> None:
    """Demo users, one per role, with passwords kept in state_dir/demo_users.txt and printed."""
    from api.demo import demo_users

    path = settings.state_dir / "demo_users.txt"
    with _session(settings) as session:
        lines = demo_users(session, known=_read_demo_file(path))
    _write_demo_file(path, lines)
    typer.echo(f"demo users (also in {path}):")
    for username, (role, password) in lines.items():
        typer.echo(f"  {username:20} {role:16} {password}")


def _read_demo_file(path: Path) -> dict[str, tuple[str, str]]:
    if not path.exists():
        return {}
    rows = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {row[0]: (row[1], row[2]) for row in rows if len(row) == 3}


def _write_demo_file(path: Path, lines: dict[str, tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{name} {role} {password}\n" for name, (role, password) in lines.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
