"""Embedded PostGIS cluster (and helpers for the broker) under the project state folder.

Used when SIAGA_DATABASE_URL / SIAGA_MQTT_URL are unset. Everything lives in
`state_dir` (pg/, nats/) and listens on 127.0.0.1 only, on ports chosen
not to clash with system servers (55432, 51883 by default).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

from core.errors import SetupError
from core.settings import Settings

PG_USER = "siaga"
PG_DB = "siaga"


def _pg_dir(settings: Settings) -> Path:
    return service_dir(settings, "pg", "postgres")


def service_dir(settings: Settings, name: str, user: str) -> Path:
    """state_dir/<name>; as root, a path the service's system user can reach.

    PostgreSQL and nats-server run as their own system users. When the checkout sits under a folder
    that user cannot traverse (a 0700 home), the data lives under /var/lib/siaga
    and state_dir/<name> is a symlink to it.
    """
    path = settings.state_dir / name
    if path.exists() or path.is_symlink():
        return path.resolve()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and not _user_can_traverse(user, settings.state_dir):
        digest = hashlib.sha1(str(settings.state_dir.resolve()).encode()).hexdigest()[:12]
        target = Path("/var/lib/siaga") / digest / name
        target.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
        return target
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_state_dir(state_dir: Path) -> None:
    """Delete a state folder and any service data it moved under /var/lib/siaga."""
    for name in ("pg", "nats", "mosquitto"):
        link = state_dir / name
        if link.is_symlink():
            shutil.rmtree(link.resolve().parent, ignore_errors=True)
    shutil.rmtree(state_dir, ignore_errors=True)


def _user_can_traverse(user: str, folder: Path) -> bool:
    result = subprocess.run(
        ["runuser", "-u", user, "--", "test", "-x", str(folder.resolve())], capture_output=True
    )
    return result.returncode == 0


def read_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def embedded_database_url(settings: Settings, database: str = PG_DB) -> str:
    """URL of the embedded cluster (the password is created on first use)."""
    password = read_or_create_secret(_pg_dir(settings) / "password")
    return f"postgresql+psycopg2://{PG_USER}:{password}@127.0.0.1:{settings.pg_port}/{database}"


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def require_binary(path: Path | str, package: str) -> str:
    found = shutil.which(str(path)) if not Path(path).is_absolute() else str(path)
    if not found or not Path(found).exists():
        raise SetupError(
            f"{path} not found: install the Debian package '{package}' "
            "(make demo / make test do this with apt-get when run as root)"
        )
    return found


def _service_account() -> tuple[int, int] | None:
    """Servers refuse to run as root; as root we run them as their system users."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def _run_as_postgres(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    account = _service_account()
    if account:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run(argv, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def chown_tree(path: Path, user: str) -> None:
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


def _pg_running_pid(pgdata: Path) -> int | None:
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return None
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (ValueError, IndexError, PermissionError):
        return None
    return pid if pid_alive(pid) else None


def _init_cluster(settings: Settings, pgdata: Path) -> None:
    initdb = require_binary(settings.pg_bin_dir / "initdb", "postgresql-15")
    pg_dir = _pg_dir(settings)
    password = read_or_create_secret(pg_dir / "password")
    pwfile = pg_dir / "initdb.pw"
    pwfile.write_text(password + "\n")
    pgdata.mkdir(parents=True, exist_ok=True)
    chown_tree(pg_dir, "postgres")
    result = _run_as_postgres(
        [
            initdb,
            "-D",
            str(pgdata),
            "-U",
            PG_USER,
            "--pwfile",
            str(pwfile),
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise SetupError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# siaga embedded cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            "max_connections = 200\n"
            "shared_buffers = 512MB\n"
            "work_mem = 32MB\n"
            "maintenance_work_mem = 256MB\n"
            "max_wal_size = 2GB\n"
            "timezone = 'UTC'\n"
        )


def ensure_postgres(settings: Settings) -> str:
    """Start the embedded PostGIS cluster if needed; return its database URL."""
    if not settings.uses_embedded_db:
        return settings.database_dsn()
    require_binary(
        Path("/usr/share/postgresql/15/extension/postgis.control"), "postgresql-15-postgis-3"
    )
    pgdata = _pg_dir(settings) / "data"
    if not (pgdata / "PG_VERSION").exists():
        _init_cluster(settings, pgdata)
    if _pg_running_pid(pgdata) is None:
        if port_open(settings.pg_port):
            raise SetupError(
                f"port {settings.pg_port} is taken by another process; stop it or set "
                "SIAGA_PG_PORT to a free port (or SIAGA_DATABASE_URL to use an existing server)"
            )
        pg_ctl = require_binary(settings.pg_bin_dir / "pg_ctl", "postgresql-15")
        sockdir = _pg_dir(settings) / "sock"
        sockdir.mkdir(exist_ok=True)
        chown_tree(_pg_dir(settings), "postgres")
        result = _run_as_postgres(
            [
                pg_ctl,
                "-D",
                str(pgdata),
                "-l",
                str(_pg_dir(settings) / "postgres.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {settings.pg_port} -k {sockdir}",
                "start",
            ]
        )
        if result.returncode != 0:
            log_tail = tail(_pg_dir(settings) / "postgres.log")
            raise SetupError(f"PostgreSQL did not start: {result.stderr.strip()}\n{log_tail}")
    wait_for_port(settings.pg_port, "PostgreSQL")
    ensure_database(settings, PG_DB)
    return embedded_database_url(settings)


def ensure_database(settings: Settings, name: str) -> None:
    """Create database `name` with PostGIS if it does not exist."""
    import psycopg2

    dsn = settings.database_dsn().replace("postgresql+psycopg2://", "postgresql://")
    admin_dsn = dsn.rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(admin_dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{_safe_ident(name)}"')
    finally:
        conn.close()


def drop_database(settings: Settings, name: str) -> None:
    """Drop database `name` (used for fresh test databases)."""
    import psycopg2

    dsn = settings.database_dsn().replace("postgresql+psycopg2://", "postgresql://")
    conn = psycopg2.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{_safe_ident(name)}" WITH (FORCE)')
    finally:
        conn.close()


def _safe_ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise SetupError(f"database name {name!r} must be letters, digits and underscores")
    return name


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_for_port(port: int, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.1)
    raise SetupError(f"{what} did not listen on 127.0.0.1:{port} within {timeout_s:.0f} s")


def stop_postgres(settings: Settings) -> bool:
    """Stop the embedded cluster; True if it was running."""
    pgdata = _pg_dir(settings) / "data"
    if _pg_running_pid(pgdata) is None:
        return False
    pg_ctl = str(settings.pg_bin_dir / "pg_ctl")
    _run_as_postgres([pg_ctl, "-D", str(pgdata), "-m", "fast", "-w", "stop"])
    return True


def postgres_status(settings: Settings) -> str:
    if not settings.uses_embedded_db:
        return "external"
    pid = _pg_running_pid(_pg_dir(settings) / "data")
    return f"running (pid {pid}, port {settings.pg_port})" if pid else "stopped"
