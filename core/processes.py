"""Background processes started by `siaga demo` (pidfiles and logs under state_dir/run)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from core.embedded import pid_alive
from core.settings import Settings


def _run_dir(settings: Settings) -> Path:
    folder = settings.state_dir / "run"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_path(settings: Settings, name: str) -> Path:
    return _run_dir(settings) / f"{name}.log"


def running_pid(settings: Settings, name: str) -> int | None:
    """Pid of the named background process if it is alive."""
    pidfile = _run_dir(settings) / f"{name}.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def list_processes(settings: Settings) -> list[str]:
    """Names of processes with a pidfile, oldest first."""
    pidfiles = sorted(_run_dir(settings).glob("*.pid"), key=lambda p: p.stat().st_mtime)
    return [p.stem for p in pidfiles]


def start_process(settings: Settings, name: str, argv: list[str]) -> int:
    """Start argv detached, logging to state_dir/run/<name>.log; return its pid."""
    stop_process(settings, name)
    log = log_path(settings, name).open("ab")
    proc = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ.copy(),
    )
    (_run_dir(settings) / f"{name}.pid").write_text(f"{proc.pid}\n")
    return proc.pid


def stop_process(settings: Settings, name: str, timeout_s: float = 15.0) -> bool:
    """SIGTERM the process group, SIGKILL after timeout_s; True if it was running."""
    pid = running_pid(settings, name)
    (_run_dir(settings) / f"{name}.pid").unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.1)
    if pid_alive(pid):
        os.killpg(pid, signal.SIGKILL)
    return True
