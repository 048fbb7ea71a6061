"""Checked access by bearer token, kept for seconds and dropped the moment the database says so.

Every API request must know who calls and what they may see. Checking that afresh costs a
user-row read, a walk of the jurisdiction tree and a threadpool hop: on the 110 desk's hottest
read (`GET /api/jurisdictions/lookup`) more than the lookup itself. So a GET that passed the full
check leaves its answer here for up to SIAGA_AUTH_CACHE_TTL_S seconds (never past the token's
own expiry), and the next GET with the same token reuses it without any I/O.

Staleness is bounded by PostgreSQL, not by the TTL alone: migration 0006 has users and
jurisdictions NOTIFY `siaga_access` on commit, and every API process listens (AccessListener)
and empties its cache. While the listener is not connected the cache answers nothing, so a
missed notice can never extend anyone's access. Writes (audited) and the crew role (whose
scope follows its open assignments) always take the full check.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.extensions

log = logging.getLogger(__name__)

CHANNEL = "siaga_access"
# Bounded memory: the desks of one Polda hold a few hundred live tokens.
MAX_ENTRIES = 10_000
# Dead-peer detection for the listening connection (libpq keepalive parameters).
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 3}


@dataclass(frozen=True)
class CachedAccess:
    """What the full check found for a token: the role and the Scope built for it."""

    role: str
    scope: Any  # api.deps.Scope (not imported: deps imports this module)
    expires_at: float  # time.monotonic()


class AccessCache:
    """Token -> CachedAccess, serving only while its invalidation listener is connected."""

    def __init__(self, ttl_s: float, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[str, CachedAccess] = {}
        self._lock = threading.Lock()
        self._live = False
        self._generation = 0
        self.hits = 0
        self.invalidations = 0

    @property
    def serving(self) -> bool:
        return self.ttl_s > 0 and self._live

    def generation(self) -> int:
        """Read before the full check; put() refuses an answer older than an invalidation."""
        return self._generation

    def get(self, token: str) -> CachedAccess | None:
        if not self.serving:
            return None
        entry = self._entries.get(token)
        if entry is None:
            return None
        if entry.expires_at <= time.monotonic():
            self._entries.pop(token, None)
            return None
        self.hits += 1
        return entry

    def put(
        self, token: str, *, role: str, scope: Any, token_expires_s: float, generation: int
    ) -> None:
        """Keep a checked answer, unless the cache changed since `generation` was read."""
        ttl = min(self.ttl_s, token_expires_s - time.time())
        if ttl <= 0:
            return
        with self._lock:
            if not self.serving or generation != self._generation:
                return
            if len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest entry
            self._entries[token] = CachedAccess(role, scope, time.monotonic() + ttl)

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self.invalidations += 1

    def set_live(self, live: bool) -> None:
        """The listener's state; either way what is cached may have missed a notice."""
        with self._lock:
            self._live = live
            self._generation += 1
            self._entries.clear()


class AccessListener:
    """LISTEN siaga_access on its own connection; any notice empties the cache."""

    def __init__(self, connect_args: Mapping[str, Any], cache: AccessCache) -> None:
        self._connect_args = {**connect_args, **_KEEPALIVE}
        self._cache = cache
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="siaga-access-listener", daemon=True)

    def start(self) -> None:
        if self._cache.ttl_s > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff_s = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff_s = 0.5
            except (psycopg2.Error, OSError) as exc:
                log.warning("access listener: %s (cache off until reconnected)", exc)
            finally:
                self._cache.set_live(False)
            self._stop.wait(backoff_s)
            backoff_s = min(backoff_s * 2, 10.0)

    def _listen(self) -> None:
        connection = psycopg2.connect(**self._connect_args)
        try:
            connection.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
            self._cache.set_live(True)
            while not self._stop.is_set():
                if select.select([connection], [], [], 1.0)[0]:
                    connection.poll()  # raises if the server went away
                    if connection.notifies:
                        connection.notifies.clear()
                        self._cache.invalidate()
        finally:
            connection.close()
