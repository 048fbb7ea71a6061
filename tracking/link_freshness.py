"""The link of a tracker that cannot hold a connection is judged by fix freshness.

An HTTP tracker (Traccar Client over OsmAnd, a device a Traccar server forwards) reports and
hangs up: the broker never sees it leave and no will marks it gone. Its link goes up with a
report (tracking/http_ingest.py) and, here, down once nothing was heard from it for
`SIAGA_TRACKER_HTTP_SILENCE_S`. Both write `units.link_connected`, the one link state that the
screens (webmap, /api/units, the console) and recommendation read; no second table.

A unit has such a tracker while it has an active HTTP device (tracking/devices.py). Its MQTT
trackers, if any, still report too: a connected one keeps sending fixes, so it is not silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger("siaga.tracking.link")
SILENT_REASON = "no_fix"
# What the screens and recommendation say for units.link_reason (the one table of reasons).
LINK_REASON_TEXT = {SILENT_REASON: "pelacak HTTP tidak melapor"}


def link_reason_text(reason: str | None) -> str | None:
    """The words for a stored link reason (None: no reason recorded)."""
    return LINK_REASON_TEXT.get(reason) if reason else None


# One statement: concurrent sweeps (two dispatch workers) take each unit's row lock in turn,
# and the second one's recheck finds the link already down, so each fall is logged once.
# "Heard" is the newest of the latest fix's arrival and the link's last rise (a Traccar
# deviceOnline event without a fix also counts, for the same silence).
MARK_SILENT_DOWN = text(
    """
    UPDATE units AS u SET link_connected = false, link_changed_at = now(), link_reason = 'no_fix'
    FROM (
        SELECT u2.id, GREATEST(u2.link_changed_at, p.received_at) AS heard_at
        FROM units AS u2
        LEFT JOIN unit_positions_latest AS p ON p.unit_id = u2.id
        WHERE u2.link_connected
          AND EXISTS (SELECT 1 FROM tracker_devices AS d
                      WHERE d.unit_id = u2.id AND d.revoked_at IS NULL)
    ) AS silent
    WHERE u.id = silent.id AND u.link_connected
      AND (silent.heard_at IS NULL
           OR silent.heard_at < now() - make_interval(secs => :silence_s))
    RETURNING u.id, u.call_sign, extract(epoch FROM now() - silent.heard_at) AS silent_s
    """
)


@dataclass(frozen=True, slots=True)
class SilentLink:
    """A unit whose HTTP tracker fell silent: its link was just marked down."""

    unit_id: int
    call_sign: str
    silent_s: float | None  # None: never heard at all
    reason: str = SILENT_REASON


def mark_silent_links_down(session: Session, *, silence_s: float) -> list[SilentLink]:
    """Mark down the links of HTTP-tracked units not heard for silence_s; log each once.

    The caller commits (the dispatch worker's tick).
    """
    fallen = [
        SilentLink(row.id, row.call_sign, None if row.silent_s is None else float(row.silent_s))
        for row in session.execute(MARK_SILENT_DOWN, {"silence_s": silence_s})
    ]
    for link in fallen:
        heard = "never" if link.silent_s is None else f"{link.silent_s:.0f} s ago"
        log.warning(
            "unit %s: tracker link down (%s): HTTP tracker silent, last heard %s (limit %.0f s)",
            link.call_sign,
            link.reason,
            heard,
            silence_s,
        )
    return fallen
