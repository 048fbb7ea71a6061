"""What an operator types, read before any database work: coordinates, map links, plus codes,
and the filler words that split "jl sudirman depan bank mandiri" into a street and a landmark.

Pure functions (no I/O); coordinates are (lon, lat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from openlocationcode import openlocationcode as olc

from core.errors import InvalidInput

# Words callers put between a street and a landmark; they never belong to a name.
FILLERS = (
    "depan",
    "dpn",
    "dekat",
    "dkt",
    "samping",
    "sebelah",
    "belakang",
    "blkg",
    "seberang",
    "sekitar",
    "sekitaran",
    "arah",
    "pas",
    "persis",
    "tepat",
    "ujung",
)
FILLER_RE = re.compile(r"\b(" + "|".join(FILLERS) + r")\b\.?", re.IGNORECASE)
# "kecelakaan di jl sudirman": what comes before "di" says what happened, not where.
AT_RE = re.compile(r"\bdi\b", re.IGNORECASE)

NUM = r"[-+]?\d{1,3}(?:[.,]\d+)?"
# "-1.2654, 116.8312", "-1,2654 116,8312", "-1.2654;116.8312"
DECIMAL_PAIR = re.compile(
    rf"^\s*({NUM.replace('[.,]', '[.]')})\s*[,;\s]\s*({NUM.replace('[.,]', '[.]')})\s*$"
    rf"|^\s*({NUM})\s*[;\s]\s*({NUM})\s*$"
)
# One DMS or decimal part with a hemisphere letter before or after: 1°16'55"S, LS 1.27, 116,83 BT
HEMI = r"(?:LS|LU|BT|BB|[NSEWUTB])"
DMS_PART = re.compile(
    rf"(?P<pre>{HEMI})?\s*(?P<deg>\d{{1,3}}(?:[.,]\d+)?)(?:\s*(?:°|º|deg)|\s+|$|(?={HEMI}))\s*"
    rf"(?:(?P<min>\d{{1,2}}(?:[.,]\d+)?)\s*(?:'|′|m|\s)\s*)?"
    rf"(?:(?P<sec>\d{{1,2}}(?:[.,]\d+)?)\s*(?:\"|″|''|s)?\s*)?(?P<post>{HEMI})?(?![A-Za-z])",
    re.IGNORECASE,
)
SOUTH_WEST = {"S", "LS", "W", "B", "BB"}
LAT_LETTERS = {"N", "S", "LS", "LU", "U"}
PLUS_CODE = re.compile(r"\b([23456789CFGHJMPQRVWX]{2,8}\+[23456789CFGHJMPQRVWX]{0,3})\b", re.I)


@dataclass(frozen=True)
class ParsedPoint:
    """A location read straight from the query (no search needed)."""

    lon: float
    lat: float
    kind: str  # coordinate | plus_code | map_link
    label: str


@dataclass(frozen=True)
class PlusCode:
    """A plus code; a short one needs a reference point (its locality or the map centre)."""

    code: str
    locality: str  # the words after a short code, e.g. "Balikpapan"


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _checked(lon: float, lat: float, kind: str, label: str) -> ParsedPoint:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(f"koordinat di luar jangkauan: {label}", field="q")
    return ParsedPoint(lon=lon, lat=lat, kind=kind, label=label)


def parse_decimal_pair(q: str) -> ParsedPoint | None:
    """'lat, lon' (or 'lon, lat' when the first cannot be a latitude)."""
    match = DECIMAL_PAIR.match(q)
    if not match:
        return None
    first, second = (g for g in match.groups() if g is not None)
    a, b = _num(first), _num(second)
    lat, lon = (a, b) if abs(a) <= 90 else (b, a)
    return _checked(lon, lat, "coordinate", f"{lat:.6f}, {lon:.6f}")


def _dms_value(part: re.Match) -> tuple[float, str | None]:
    value = _num(part["deg"]) + _num(part["min"] or "0") / 60 + _num(part["sec"] or "0") / 3600
    letter = (part["pre"] or part["post"] or "").upper() or None
    if letter in SOUTH_WEST:
        value = -value
    return value, letter


def parse_dms(q: str) -> ParsedPoint | None:
    """Degrees-minutes-seconds or decimals with hemisphere letters: 1°16'S 116°50'E."""
    if not re.search(r"[°º'′\"]|\b(LS|LU|BT|BB)\b|\d\s*[NSEW]\b|\b[NSEW]\s*\d", q, re.I):
        return None
    parts = [m for m in DMS_PART.finditer(q) if m["deg"]]
    if len(parts) != 2:
        return None
    (v1, l1), (v2, l2) = _dms_value(parts[0]), _dms_value(parts[1])
    if l1 in LAT_LETTERS or (l2 is not None and l2 not in LAT_LETTERS):
        lat, lon = v1, v2
    elif l2 in LAT_LETTERS:
        lat, lon = v2, v1
    else:
        lat, lon = (v1, v2) if abs(v1) <= 90 else (v2, v1)
    return _checked(lon, lat, "coordinate", f"{lat:.6f}, {lon:.6f}")


def parse_map_link(q: str) -> ParsedPoint | None:
    """Google Maps and OpenStreetMap links (and geo: URIs) that carry coordinates."""
    text = q.strip()
    if text.lower().startswith("geo:"):
        pair = parse_decimal_pair(text[4:].split(";")[0].split("?")[0])
        return _as_link(pair, text)
    if not re.match(r"^https?://", text, re.I):
        return None
    url = urlsplit(text)
    host, path = url.netloc.lower(), unquote(url.path)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    if "goo.gl" in host or "g.page" in host:
        raise InvalidInput(
            "tautan pendek Google Maps tidak bisa dibuka tanpa internet; minta pelapor "
            "membagikan koordinat atau tautan lengkap",
            field="q",
        )
    if "openstreetmap" in host or "osm.org" in host:
        if "mlat" in query and "mlon" in query:
            return _as_link(_pair(query["mlat"], query["mlon"]), text)
        found = re.search(r"map=\d+/(" + NUM + r")/(" + NUM + ")", url.fragment)
        return _as_link(_pair(found[1], found[2]) if found else None, text)
    if "google" in host:
        # !3d/!4d mark the place itself; @lat,lon is only where the map was looking.
        for pattern in (r"!3d(" + NUM + r")!4d(" + NUM + ")", r"@(" + NUM + r"),(" + NUM + ")"):
            found = re.search(pattern, path + url.fragment + "!" + url.query)
            if found:
                return _as_link(_pair(found[1], found[2]), text)
        for key in ("q", "query", "ll", "destination", "center"):
            if key in query:
                return _as_link(parse_decimal_pair(query[key]), text)
    return None


def _pair(lat: str, lon: str) -> ParsedPoint:
    return _checked(float(lon), float(lat), "coordinate", f"{float(lat):.6f}, {float(lon):.6f}")


def _as_link(point: ParsedPoint | None, text: str) -> ParsedPoint | None:
    if point is None:
        raise InvalidInput("tautan peta tanpa koordinat yang bisa dibaca", field="q")
    return ParsedPoint(point.lon, point.lat, "map_link", point.label)


def find_plus_code(q: str) -> PlusCode | None:
    """A plus code in the query ('6PCRQR5J+XG', 'QR5J+XG Balikpapan')."""
    match = PLUS_CODE.search(q.strip())
    if not match or not olc.isValid(match[1].upper()):
        return None
    locality = (q[: match.start()] + " " + q[match.end() :]).strip(" ,")
    return PlusCode(code=match[1].upper(), locality=locality)


def decode_plus_code(code: PlusCode, *, ref_lon: float, ref_lat: float) -> ParsedPoint:
    """Centre of the code's cell; a short code is recovered nearest the reference point."""
    full = code.code if olc.isFull(code.code) else olc.recoverNearest(code.code, ref_lat, ref_lon)
    area = olc.decode(full)
    return _checked(area.longitudeCenter, area.latitudeCenter, "plus_code", full)


def parse_point(q: str) -> ParsedPoint | None:
    """A coordinate or map link typed or pasted; None when the query is words."""
    return parse_map_link(q) or parse_decimal_pair(q) or parse_dms(q)


def split_fillers(q: str) -> tuple[str, str | None]:
    """'jl sudirman depan bank mandiri' -> ('jl sudirman', 'bank mandiri'); fillers dropped."""
    parts = AT_RE.split(q, maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        q = parts[1]
    pieces = [p.strip(" ,.") for p in FILLER_RE.split(q)]
    words = [p for i, p in enumerate(pieces) if i % 2 == 0 and p]
    if len(words) >= 2:
        return words[0], " ".join(words[1:])
    return (words[0] if words else q.strip()), None
