"""Console: console_wait_ms, the time the operator waits on the system during the scripted
keyboard intake in headless Chromium (caller history, jurisdiction, create, recommendations,
validation, assignment confirmed; place search too where the page has one), against the sum
of the same API calls made directly with httpx in the same run.

The page's own Siaga.apiFetch is timed (call to parsed answer) for the calls the operator
waits on; background polls (board, live units, route drawing) are not counted.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy.orm import Session

from bench.common import BenchContext, Figure, median
from jurisdictions.models import Jurisdiction
from tracking.models import Unit, UnitPositionLatest

CHROMIUM = Path("/usr/bin/chromium")
WEST, SOUTH, EAST, NORTH = 116.806, -1.281, 116.875, -1.248
INCIDENT = (116.8400, -1.2650)
UNITS = 40
# Paths the intake waits on (regular expressions over the request path).
WAITED = (
    r"^/api/callers/",
    r"^/api/jurisdictions/lookup",
    r"^/api/places/search",
    r"^/api/incidents$",
    r"/recommendations$",
    r"/validate$",
    r"/assignments$",
)
TIMER_JS = """(waited) => {
  const S = window.Siaga, plain = S.apiFetch, patterns = waited.map((p) => new RegExp(p));
  window.__waits = [];
  S.apiFetch = async function (path, options) {
    const start = performance.now();
    try { return await plain(path, options); }
    finally {
      const bare = path.split("?")[0];
      const ms = performance.now() - start;
      if (patterns.some((p) => p.test(bare))) window.__waits.push([bare, ms]);
    }
  };
}"""


def _load(ctx: BenchContext) -> tuple[int, str]:
    """A Polda -> Polres -> Polsek over Balikpapan Kota, 40 free units, an operator token."""
    from api.auth import create_user, issue_token

    tag = uuid.uuid4().hex[:5]
    with Session(ctx.engine, expire_on_commit=False) as session:
        parent, polda_id = None, None
        for level, target in (("polda", None), ("polres", 600), ("polsek", None)):
            row = Jurisdiction(
                code=f"BC{tag}{level}",
                name=f"{level.title()} Bench",
                level=level,
                parent_id=parent.id if parent else None,
                response_target_s=target,
                timezone="WITA",
                geom=from_shape(MultiPolygon([box(WEST, SOUTH, EAST, NORTH)]), srid=4326),
            )
            session.add(row)
            session.flush()
            polda_id = polda_id or row.id
            parent = row
        for n in range(UNITS):
            unit = Unit(
                call_sign=f"BC{tag}-{n}",
                kind="R4" if n % 3 else "R2",
                home_jurisdiction_id=parent.id,
                status="available",
                link_connected=True,
                crew=[],
            )
            session.add(unit)
            session.flush()
            lon = WEST + (EAST - WEST) * ((n * 37) % 100) / 100
            lat = SOUTH + (NORTH - SOUTH) * ((n * 53) % 100) / 100
            session.add(
                UnitPositionLatest(
                    unit_id=unit.id,
                    geom=from_shape(Point(lon, lat), srid=4326),
                    fixed_at=_now(),
                    received_at=_now(),
                    accuracy_m=5,
                )
            )
        user = create_user(
            session,
            username=f"bench.op.{tag}",
            password="bench-kata-sandi-1",
            role="polda_operator",
            jurisdiction_id=polda_id,
        )
        session.commit()
        return polda_id, issue_token(ctx.settings, user).access_token


def _now():  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _serve(ctx: BenchContext) -> tuple[object, str]:
    import uvicorn

    from api.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(ctx.settings.model_copy(update={"tile_url": ""})),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/health", timeout=1).status_code in (200, 503):
                return server, url
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("bench app did not answer")


def _intake(page, phone: str) -> float:  # noqa: ANN001
    """One scripted keyboard intake to "Tugaskan"; returns the summed waits in ms."""
    page.evaluate("() => { window.__waits = []; }")
    page.keyboard.press("Alt+N")
    page.keyboard.type(phone)
    page.keyboard.press("Tab")  # change event: caller history
    page.keyboard.type("Bench Pelapor")
    page.keyboard.press("Alt+L")  # the place search box: coordinates typed as a caller says them
    page.keyboard.type(f"{INCIDENT[1]}, {INCIDENT[0]}")
    page.wait_for_selector("#place-results [role=option][aria-selected=true]")
    page.keyboard.press("Enter")  # place it: jurisdiction lookup
    page.wait_for_function(
        "() => /Bench/.test(document.getElementById('chain-polsek').textContent)"
    )
    page.keyboard.type("Pencurian")
    page.keyboard.press("Control+Enter")  # create, then recommendations
    page.wait_for_selector("#recommendations tr.rec button.assign")
    page.keyboard.press("Alt+1")  # validate + assign
    page.wait_for_selector("#assigned li.active")
    page.wait_for_function(
        "() => window.__waits.filter((w) => /\\/assignments$/.test(w[0])).length >= 1"
    )
    waits = page.evaluate("window.__waits")
    if os.environ.get("SIAGA_BENCH_VERBOSE"):
        print(waits, file=sys.stderr)
    # Up to "assignment confirmed": what the page loads after that is not waited on.
    cut = next(i for i, (path, _) in enumerate(waits) if path.endswith("/assignments"))
    return sum(ms for _, ms in waits[: cut + 1])


def _direct(client: httpx.Client, phone: str) -> tuple[float, int]:
    """The same calls made straight to the API; summed ms and the incident id."""
    total = 0.0

    def call(method: str, path: str, **kw) -> dict:  # noqa: ANN003
        nonlocal total
        start = time.perf_counter()
        response = client.request(method, path, **kw)
        response.raise_for_status()
        data = response.json()
        total += (time.perf_counter() - start) * 1000
        return data

    call("GET", f"/api/callers/{phone}")
    call("GET", "/api/places/search", params={"q": f"{INCIDENT[1]}, {INCIDENT[0]}", "limit": 8})
    call("GET", "/api/jurisdictions/lookup", params={"lat": INCIDENT[1], "lon": INCIDENT[0]})
    body = {
        "caller_name": "Bench",
        "caller_phone": phone,
        "category": "pencurian",
        "priority": 2,
        "lon": INCIDENT[0],
        "lat": INCIDENT[1],
        "channel": "telepon",
    }
    incident = call("POST", "/api/incidents", json=body)
    recs = call("GET", f"/api/incidents/{incident['id']}/recommendations")["recommendations"]
    call("POST", f"/api/incidents/{incident['id']}/validate", json={"validity": "valid"})
    best = recs[0]
    call(
        "POST",
        f"/api/incidents/{incident['id']}/assignments",
        json={"unit_ids": [best["unit_id"]], "etas": {str(best["unit_id"]): best["eta_s"]}},
    )
    return total, incident["id"]


def _free_units(client: httpx.Client) -> None:
    """Cancel every active assignment (untimed), so the next intake has the same free units."""
    for row in client.get("/api/console/board").json()["incidents"]:
        for unit in row["units"]:
            client.post(
                f"/api/incidents/{row['id']}/assignments/{unit['assignment_id']}/cancel",
                json={"reason": "bench"},
            )
        client.post(
            f"/api/incidents/{row['id']}/close",
            json={"disposition": "selesai_di_tempat", "callback_outcome": "tidak_perlu"},
        )


def run(ctx: BenchContext) -> list[Figure]:
    if not CHROMIUM.exists():
        return [
            Figure(
                "console_wait_ms",
                float("nan"),
                "ms",
                "api_calls_direct_ms",
                float("nan"),
                note="skipped: /usr/bin/chromium not installed",
            )
        ]
    from playwright.sync_api import sync_playwright

    _, token = _load(ctx)
    server, url = _serve(ctx)
    repeat = 3 if ctx.quick else 7
    page_ms, direct_ms = [], []
    host = urlsplit(url).netloc
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with (
            httpx.Client(base_url=url, headers=headers, timeout=30) as client,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route(
                "**/*",
                lambda r: r.continue_() if urlsplit(r.request.url).netloc == host else r.abort(),
            )
            context.add_init_script(f"sessionStorage.setItem('siaga_token', {token!r});")
            page = context.new_page()
            page.goto(url + "/operator")
            page.wait_for_function("() => window.Siaga && Siaga.operator && Siaga.operator.me")
            page.evaluate(TIMER_JS, list(WAITED))
            for n in range(repeat + 1):  # the first of each is a warm-up
                phone = f"0811{n:07d}"
                measured = _intake(page, phone)
                _free_units(client)
                direct, _ = _direct(client, f"0812{n:07d}")
                _free_units(client)
                if n:
                    page_ms.append(measured)
                    direct_ms.append(direct)
            browser.close()
    finally:
        server.should_exit = True
    return [
        Figure(
            "console_wait_ms",
            median(page_ms),
            "ms",
            "api_calls_direct_ms",
            median(direct_ms),
            note=f"median of {repeat} keyboard intakes in headless Chromium (goal < 1,000 ms); "
            "baseline: the same calls straight to the API with httpx",
        ),
    ]
