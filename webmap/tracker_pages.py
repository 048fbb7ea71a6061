"""The trackers admin page (/trackers): a unit's tracker kind, link and OwnTracks key."""

from __future__ import annotations

import json
from functools import lru_cache

from jurisdictions.timezones import page_zones
from tracking.trackers import TRACKER_LABELS
from webmap.maps import TEMPLATES


@lru_cache(maxsize=1)
def render_trackers_page() -> str:
    """The HTML shell; the units and their keys come from the JSON API."""
    config = {
        "page": "trackers",
        "map": None,
        "tracker_labels": TRACKER_LABELS,
        "zones": page_zones(),
    }
    return TEMPLATES.get_template("trackers.html").render(
        config_json=json.dumps(config).replace("</", "<\\/")
    )
