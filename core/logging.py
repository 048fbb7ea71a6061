"""Logging set-up for entry points (UTC timestamps)."""

from __future__ import annotations

import logging
import time


def configure_logging(level: str = "INFO") -> None:
    """Configure root logging once per process; all times UTC."""
    logging.Formatter.converter = time.gmtime
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)sZ %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    # Per-request client logs drown the platform's own lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
