"""Indonesian time zones by Kemendagri province code (first two digits)."""

from __future__ import annotations

# UU/Keppres 41/1987: WIB west, WITA central, WIT east; province codes per Kepmendagri.
_WIB = {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34"}
_WIB |= {"35", "36", "61", "62"}
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}


def timezone_for_province(code: str | None) -> str | None:
    """WIB/WITA/WIT for a Kemendagri/BPS province code ('64', '64.71', '6471'); None if unknown."""
    if not code or len(code) < 2 or not code[:2].isdigit():
        return None
    prefix = code[:2]
    if prefix in _WIB:
        return "WIB"
    if prefix in _WITA:
        return "WITA"
    if prefix in _WIT:
        return "WIT"
    return None
