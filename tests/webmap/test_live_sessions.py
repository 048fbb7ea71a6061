"""A live stream lasts only as long as its user's access: disabling the user (or moving them
to another jurisdiction) ends the stream within seconds."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import text

from tests.webmap.factories import issue_test_token


def _stream_until_ended(live_server, token: str, change) -> tuple[list[str], float]:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    names: list[str] = []
    changed_at = None
    with httpx.stream("GET", live_server.url + "/api/live/units", headers=headers, timeout=30) as r:
        assert r.status_code == 200
        for line in r.iter_lines():  # keep-alives arrive at least every 15 s
            if changed_at is not None and time.monotonic() - changed_at > 20:
                break  # still streaming long after the change: the test fails below
            if line.startswith("event:"):
                names.append(line[6:].strip())
                if changed_at is None:
                    change()
                    changed_at = time.monotonic()
                if names[-1] == "ended":
                    break
    return names, time.monotonic() - changed_at


@pytest.mark.parametrize("what", ["disable", "move"])
def test_stream_ends_when_access_changes(live_server, engine, settings, city, what) -> None:  # noqa: ANN001
    name = f"web.live-{uuid.uuid4().hex[:6]}"
    token = issue_test_token(
        engine, settings, username=name, role="commander", jurisdiction_id=city.polda_id
    )
    statements = {
        "disable": "UPDATE users SET disabled_at = now() WHERE username = :n",
        "move": "UPDATE users SET jurisdiction_id = :j WHERE username = :n",
    }

    def change() -> None:
        with engine.begin() as conn:
            conn.execute(text(statements[what]), {"n": name, "j": city.polres_id})

    try:
        names, seconds = _stream_until_ended(live_server, token, change)
        assert names[0] == "units" and names[-1] == "ended"
        assert seconds < 10
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE username = :n"), {"n": name})
