"""Place search for the operator's search box: one list of {name, kind, lon, lat, description}.

Order of reading a query: a map link or coordinates, a plus code, then words. Words go to
PostgreSQL's places_search() (migration 1121), one statement: places_normalise (unaccent,
abbreviations), each typed word resolved against the vocabulary of name words (prefix
completions, pg_trgm neighbours for typos), then a bounded full-text lookup nearest the map
centre, scored by pg_trgm similarity (docs/DESIGN.md, "Place search index"); "A depan B"
finds B nearest the street or place A, in one statement too.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from places.query import decode_plus_code, find_plus_code, parse_point, split_fillers

SQL_DIR = Path(__file__).resolve().parent / "sql"
SEARCH_SQL = text((SQL_DIR / "search.sql").read_text())
NEAR_SQL = text((SQL_DIR / "search_near.sql").read_text())
# Words that at most FEW_NAMES names have: read every such name (GIN) and sort by distance.
# More: check only the NEAREST_NAMES names nearest the centre (GiST KNN). Both bound the
# work whatever the words; measured in bench/bench_places.py.
FEW_NAMES = 5000
NEAREST_NAMES = 1000
MAX_QUERY_CHARS = 200
KIND_LABELS = {
    "street": "Jalan",
    "police": "Kantor polisi",
    "desa": "Kelurahan/desa",
    "kecamatan": "Kecamatan",
    "kabkota": "Kota/kabupaten",
    "provinsi": "Provinsi",
    "coordinate": "Koordinat",
    "plus_code": "Plus code",
    "map_link": "Tautan peta",
}


def format_distance(distance_m: float | None) -> str:
    """'±350 m' or '±1,2 km' (Indonesian decimal comma)."""
    if distance_m is None:
        return ""
    if distance_m < 1000:
        return f"±{round(distance_m / 10) * 10:.0f} m"
    return f"±{distance_m / 1000:.1f} km".replace(".", ",")


def area_name(label: str | None, name: str) -> str:
    """'Kel. Klandasan Ilir'; 'Kota Balikpapan' already says what it is."""
    if not label or name.split(" ", 1)[0].lower() in ("kota", "kabupaten", "kab."):
        return name
    return f"{label} {name}"


# Which covering areas describe a result of each kind (an area is not inside itself).
WHERE_LEVELS = {"desa": ("kecamatan", "kab"), "kecamatan": ("kab",), "kabkota": ()}


def where_text(row: dict) -> str:
    """'Kel. Klandasan Ilir, Kec. Balikpapan Kota, Kota Balikpapan' from the covering areas."""
    names = {
        "desa": row.get("desa_name") and area_name(row.get("desa_label"), row["desa_name"]),
        "kecamatan": row.get("kecamatan_name") and f"Kec. {row['kecamatan_name']}",
        "kab": row.get("kab_name") and area_name(row.get("kab_label"), row["kab_name"]),
    }
    levels = WHERE_LEVELS.get(row["kind"], ("desa", "kecamatan", "kab"))
    return ", ".join(names[level] for level in levels if names[level])


def _result(row: dict, *, near: str | None = None) -> dict:
    label = KIND_LABELS.get(row["kind"]) or row.get("detail") or "Tempat"
    if row["kind"] in ("desa", "kecamatan", "kabkota", "provinsi"):
        label = row.get("detail") or label
    pieces = [label]
    if near:
        pieces.append(f"dekat {near}")
    if where := where_text(row):
        pieces.append(where)
    description = " · ".join(pieces)
    if row.get("distance_m") is not None:
        description += f" · {format_distance(row['distance_m'])} dari pusat peta"
    return {
        "name": row["name"],
        "kind": row["kind"],
        "lon": round(row["lon"], 7),
        "lat": round(row["lat"], 7),
        "description": description,
        "distance_m": None if row.get("distance_m") is None else round(row["distance_m"], 1),
        "in_scope": row.get("in_scope", True),
    }


def _bounds(jurisdiction_ids: frozenset[int] | None) -> dict:
    return {
        "scope": None if jurisdiction_ids is None else sorted(jurisdiction_ids),
        "few_names": FEW_NAMES,
        "nearest_names": NEAREST_NAMES,
    }


def search_text(
    session: Session,
    *,
    q: str,
    lon: float | None,
    lat: float | None,
    jurisdiction_ids: frozenset[int] | None = None,
    limit: int = 10,
) -> list[dict]:
    """Rows of the word search (areas joined), best first: one statement."""
    params = {"q": q, "lon": lon, "lat": lat, "limit": limit, **_bounds(jurisdiction_ids)}
    return [dict(row) for row in session.execute(SEARCH_SQL, params).mappings()]


def _check(q: str, lon: float | None, lat: float | None) -> str:
    q = " ".join((q or "").split())
    if not q:
        raise InvalidInput("kata pencarian kosong", field="q")
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(f"kata pencarian lebih dari {MAX_QUERY_CHARS} karakter", field="q")
    if (lon is None) != (lat is None):
        raise InvalidInput("lon dan lat harus diisi bersama", field="lon" if lon is None else "lat")
    return q


def _point_result(session: Session, point, *, name: str) -> dict:  # noqa: ANN001
    from places.reverse import describe_point

    described = describe_point(session, lon=point.lon, lat=point.lat)
    return {
        "name": name,
        "kind": point.kind,
        "lon": round(point.lon, 7),
        "lat": round(point.lat, 7),
        "description": f"{KIND_LABELS[point.kind]} · {described['description']}",
        "distance_m": None,
        "in_scope": True,
    }


def search_places(
    session: Session,
    *,
    q: str,
    lon: float | None = None,
    lat: float | None = None,
    jurisdiction_ids: frozenset[int] | None = None,
    limit: int = 10,
) -> list[dict]:
    """The search box's answer for q (map centre lon/lat ranks nearer results higher)."""
    q = _check(q, lon, lat)
    limit = max(1, min(limit, 50))
    if point := parse_point(q):
        return [_point_result(session, point, name=point.label)]
    if code := find_plus_code(q):
        return [_plus_code_result(session, code, lon=lon, lat=lat)]
    anchor, landmark = split_fillers(q)
    if landmark:
        near, rows = _near_search(session, anchor, landmark, lon, lat, jurisdiction_ids, limit)
    else:
        near = []
        rows = search_text(
            session, q=anchor, lon=lon, lat=lat, jurisdiction_ids=jurisdiction_ids, limit=limit
        )
    results, seen = [], set()
    for result in near + [_result(r) for r in rows]:
        # The same place from two lists (police CSV and landmark CSV, OSM and CSV).
        key = (result["name"].lower(), round(result["lon"], 3), round(result["lat"], 3))
        if key not in seen:
            seen.add(key)
            results.append(result)
    return results[:limit]


def _near_search(session, anchor, landmark, lon, lat, jurisdiction_ids, limit):  # noqa: ANN001, ANN202
    """'B near A': B's matches nearest the best match of A (each saying it is near A),
    and B's matches nearest the map centre; one statement."""
    params = {
        "anchor": anchor,
        "landmark": landmark,
        "lon": lon,
        "lat": lat,
        "limit": limit,
        "near_limit": max(limit, 20),
        **_bounds(jurisdiction_ids),
    }
    near_rows, rows = [], []
    for row in session.execute(NEAR_SQL, params).mappings():
        (near_rows if row["list"] == "near" else rows).append(dict(row))
    if not near_rows:
        return [], rows
    top = max(r["score"] for r in near_rows)
    close = [r for r in near_rows if r["score"] >= top - 0.25]
    close.sort(key=lambda r: r["distance_m"] if r["distance_m"] is not None else 1e12)
    return [_result(r, near=r["near_name"]) for r in close[:3]], rows


def _plus_code_result(session: Session, code, *, lon, lat) -> dict:  # noqa: ANN001
    from openlocationcode import openlocationcode as olc

    if not olc.isFull(code.code):
        if code.locality:
            places = search_text(session, q=code.locality, lon=None, lat=None, limit=1)
            if not places:
                raise InvalidInput(
                    f"lokasi '{code.locality}' untuk plus code tidak ditemukan", field="q"
                )
            lon, lat = places[0]["lon"], places[0]["lat"]
        elif lon is None:
            raise InvalidInput(
                "plus code pendek perlu nama tempat atau pusat peta (lon, lat)", field="q"
            )
    point = decode_plus_code(code, ref_lon=lon or 0.0, ref_lat=lat or 0.0)
    return _point_result(session, point, name=point.label)
