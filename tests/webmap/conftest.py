"""Browser fixtures: the real app under uvicorn on a free port, headless Debian Chromium.

Every request the page makes is recorded; a test fails if any request failed or went to
another host. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from core.settings import PROJECT_ROOT
from tests.conftest import wait_until
from tests.webmap.factories import City, issue_test_token, seed_city

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    host: str
    server: object


def _start_server(settings) -> tuple[object, threading.Thread, int]:
    import uvicorn

    from api.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="webmap-uvicorn", daemon=True)
    thread.start()
    return server, thread, port


def _serve(settings) -> Iterator[LiveServer]:
    server, thread, port = _start_server(settings)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _answers(url), timeout_s=30, message="uvicorn to answer")
    try:
        yield LiveServer(url=url, host=f"127.0.0.1:{port}", server=server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def app_process(settings, **env_overrides: str) -> Iterator[LiveServer]:
    """The app as its own uvicorn process (its own broker client id), e.g. with other settings."""
    port = free_port()
    env = os.environ | {
        "SIAGA_DATABASE_URL": settings.database_dsn(),
        "SIAGA_MQTT_URL": settings.mqtt_dsn(),
        "SIAGA_MQTT_TOPIC_ROOT": settings.mqtt_topic_root,
        "SIAGA_STATE_DIR": str(settings.state_dir),
        **env_overrides,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:app_factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), timeout_s=30, message="uvicorn process to answer")
        yield LiveServer(url=url, host=f"127.0.0.1:{port}", server=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=2).status_code in (200, 503)
    except httpx.HTTPError:
        return False


@pytest.fixture
def free_tcp_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def city(engine) -> City:
    """The synthetic city, committed into the test database once per run."""
    return seed_city(engine)


@pytest.fixture(scope="session")
def live_server(settings, city) -> Iterator[LiveServer]:
    """The real app (no tile URL) under uvicorn on a free port, against the test database."""
    yield from _serve(settings.model_copy(update={"tile_url": ""}))


@pytest.fixture(scope="session")
def tokens(engine, settings, city) -> dict[str, str]:
    """Bearer tokens: a national admin (API set-up only), and for the pages users scoped to
    the test Polda (so data other tests committed stays out of view) and the two units."""
    polda = {"jurisdiction_id": city.polda_id}
    return {
        "admin": issue_test_token(engine, settings, username="web.admin", role="admin"),
        "commander": issue_test_token(
            engine, settings, username="web.commander", role="commander", **polda
        ),
        "operator": issue_test_token(
            engine,
            settings,
            username="web.operator",
            role="polda_operator",
            jurisdiction_id=city.polda_id,
        ),
        "polres_operator": issue_test_token(
            engine,
            settings,
            username="web.polres",
            role="polres_operator",
            jurisdiction_id=city.polres_id,
        ),
        "planner": issue_test_token(
            engine, settings, username="web.planner", role="planner", **polda
        ),
        "unit": issue_test_token(
            engine, settings, username="web.unit", role="unit", unit_id=city.unit_ids["WEB-R4-1"]
        ),
        "unit2": issue_test_token(
            engine, settings, username="web.unit2", role="unit", unit_id=city.unit_ids["WEB-R2-1"]
        ),
    }


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is not installed (scripts/setup.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright gives every launch a fresh, empty user-data-dir of its own.
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageVisit:
    """A browser tab on the live server that records every request it makes."""

    page: object
    host: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    allowed: list[tuple[str, str]] = field(default_factory=list)
    # Other local servers a test runs on purpose (a raster tile server); everything else is cut.
    local_hosts: list[str] = field(default_factory=list)

    def allow(self, status: int, path_prefix: str) -> None:
        """Tolerate a known refusal (the test names it and says why)."""
        self.allowed.append((f"http://{self.host}{path_prefix}", f" {status}"))

    def _expected(self, failure: str) -> bool:
        return any(failure.startswith(p) and failure.endswith(s) for p, s in self.allowed)

    def assert_clean(self) -> None:
        """No request failed, none left the host, no script error."""
        assert self.requests, "the page made no request at all"
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        failed = [f for f in self.failed if not self._expected(f)]
        assert not failed, f"failed requests: {failed}"
        assert not self.console_errors, f"script errors: {self.console_errors}"

    def reload(self) -> None:
        """Reload the page; fetches the reload itself cuts off are not failures."""
        before = len(self.failed)
        self.page.reload()
        self.page.wait_for_load_state("load")
        cut = [f for f in self.failed[before:] if f.endswith("net::ERR_ABORTED")]
        for failure in cut:
            self.failed.remove(failure)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def _record(visit: PageVisit, context) -> None:
    def route(route) -> None:
        url = route.request.url
        netloc = urlsplit(url).netloc
        if (
            netloc != visit.host
            and netloc not in visit.local_hosts
            and not url.startswith(("data:", "blob:"))
        ):
            visit.foreign.append(url)
            route.abort()  # never let a request leave the machine
            return
        route.continue_()

    context.route("**/*", route)
    page = visit.page
    page.on("request", lambda r: visit.requests.append(r.url))
    page.on(
        "requestfailed",
        lambda r: (
            visit.failed.append(f"{r.url} {r.failure}")
            # Streams closed on leaving, and basemap tiles (vector, or a raster layer's images)
            # the map no longer needs after a pan or zoom, are cancelled by the page itself:
            # not failures.
            if not ("/api/live/" in r.url or "/tiles/" in r.url or r.resource_type == "image")
            or "ABORTED" not in str(r.failure)
            else None
        ),
    )
    page.on(
        "response",
        lambda r: visit.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda e: visit.console_errors.append(str(e)))


@pytest.fixture
def open_page(browser, live_server, tokens) -> Iterator:
    """open_page(path, role=..., viewport=...) -> PageVisit, logged in with that role's token."""
    contexts = []

    def _open(
        path: str,
        *,
        role: str | None = "commander",
        viewport=(1400, 900),
        server=None,
        hosts=(),
        **options,
    ):
        target = server or live_server
        size = {"width": viewport[0], "height": viewport[1]}
        context = browser.new_context(viewport=size, **options)
        contexts.append(context)
        if role:
            token = tokens[role]
            context.add_init_script(f"sessionStorage.setItem('siaga_token', {token!r});")
        visit = PageVisit(page=context.new_page(), host=target.host, local_hosts=list(hosts))
        _record(visit, context)
        visit.page.goto(target.url + path)
        return visit

    yield _open
    for context in contexts:
        context.close()
