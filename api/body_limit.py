"""Request body limits per route, enforced before the body is read (Content-Length) and while a
body without one streams in, so no route parses a body larger than it allows.

Pure ASGI (outside routing): FastAPI parses a form before any dependency runs, so a limit
checked in a dependency comes after a large upload was already spooled to disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from core.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class BodyRule:
    """Requests of `method` whose path matches `path` may carry up to max_bytes."""

    method: str
    path: re.Pattern[str]
    max_bytes: int
    message: str  # Bahasa Indonesia, for the user
    field: str | None = None


class BodyTooLarge(Exception):
    """Raised into the app's receive() once a streamed body passes its limit."""


class BodyLimit:
    """413 with the field and the limit for a body over its route's limit; never a 500."""

    def __init__(self, app: App, *, default: BodyRule, rules: tuple[BodyRule, ...] = ()) -> None:
        self.app = app
        self.default = default
        self.rules = rules

    def rule_for(self, method: str, path: str) -> BodyRule:
        for rule in self.rules:
            if rule.method == method and rule.path.fullmatch(path):
                return rule
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = self.rule_for(scope["method"], scope["path"])
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > rule.max_bytes:
            await _refuse(send, rule)
            return
        await self._guarded(scope, receive, send, rule)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, rule: BodyRule) -> None:
        """Count the body as it arrives; past the limit, the app's answer gives way to 413."""
        state = {"received": 0, "exceeded": False, "started": False}

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > rule.max_bytes:
                    state["exceeded"] = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if state["exceeded"] and not state["started"]:
                return  # the app's answer to a body cut short (a parse error): ours goes out
            state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except BodyTooLarge:
            pass
        if state["exceeded"] and not state["started"]:
            await _refuse(send, rule)


async def _refuse(send: Send, rule: BodyRule) -> None:
    body = json.dumps({"error": "too_large", "message": rule.message, "field": rule.field})
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body.encode()})


# Multipart framing and the form's other fields around an evidence file.
FORM_OVERHEAD_BYTES = 64_000


def body_limits(settings: Settings) -> dict[str, Any]:
    """BodyLimit's arguments: 1 MB for any body, more for an SPKT evidence upload."""
    from api.deps import MAX_BODY_BYTES
    from spkt.evidence import size_label

    default = BodyRule("*", re.compile(".*"), MAX_BODY_BYTES,
                       f"permintaan terlalu besar (maks. {MAX_BODY_BYTES} bita)")  # fmt: skip
    evidence_max = settings.spkt_attachment_max_bytes
    evidence = BodyRule("POST", re.compile(r"/api/spkt/reports/[^/]+/attachments"),
                        evidence_max + FORM_OVERHEAD_BYTES,
                        f"berkas lebih dari {size_label(evidence_max)}", field="file")  # fmt: skip
    return {"default": default, "rules": (evidence,)}
