"""What the place-search bench types, and the million-name database it searches.

Queries are the operator's keystrokes on real Balikpapan names: prefixes as typed, the
abbreviations and spellings callers use, one-letter typos, and filler words ("dekat X",
"jl A depan B"). The million-name database is built once and kept (its name says the
count); a signature of the migrations and of the generator rebuilds it when either changes.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from bench.common import BenchContext
from core.db import make_engine
from core.embedded import drop_database, ensure_database
from core.migrate import upgrade
from core.settings import PROJECT_ROOT

GENERATOR_VERSION = "1"  # bump when _generate changes what it writes
ABBREVIATIONS = [
    (r"\bJalan\b", "jl"),
    (r"\bJenderal\b", "jend"),
    (r"\bRumah Sakit\b", "RS"),
    (r"\bMasjid\b", "mesjid"),
    (r"\bSD Negeri\b", "SDN"),
    (r"\bGang\b", "gg"),
    (r"\bKelurahan\b", "kel"),
]
FILLERS = ("dekat", "depan", "samping", "belakang")
CATEGORIES = ["Toko", "Warung", "Masjid", "Bengkel", "Apotek", "Kantor", "Rumah Makan", "Salon"]


def _typo(name: str, rng: random.Random) -> str:
    """One slip in one longer word: two letters swapped, one dropped or one doubled."""
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return name
    i = rng.choice(long_words)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    slip = rng.choice(("swap", "drop", "double"))
    if slip == "swap":
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    elif slip == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def _abbreviated(name: str) -> str:
    for pattern, short in ABBREVIATIONS:
        name = re.sub(pattern, short, name)
    return name


def _prefix(name: str, rng: random.Random) -> str:
    """What is in the box after some keystrokes (at least three letters)."""
    return name[: rng.randint(min(3, len(name)), len(name))]


def _one_query(landmarks: list[str], streets: list[str], rng: random.Random) -> str:
    name = rng.choice(landmarks + streets[: len(landmarks) // 4])
    form = rng.random()
    if form < 0.5:
        return _prefix(name, rng)
    if form < 0.65:
        return _prefix(_abbreviated(name), rng).lower()
    if form < 0.85:
        return _typo(name, rng).lower()
    if form < 0.93:
        return f"{rng.choice(FILLERS)} {name}"
    street = _abbreviated(rng.choice(streets)).lower()
    return f"{street} {rng.choice(FILLERS)} {_prefix(rng.choice(landmarks), rng)}"


def geocode_queries(shared_data: Path, engine: Engine, count: int) -> list[str]:
    """`count` autocomplete queries (the same every run: seeded)."""
    path = shared_data / "places" / "balikpapan_places_osm.csv"
    landmarks = [row["nama_tempat"] for row in csv.DictReader(path.open(encoding="utf-8"))]
    with engine.connect() as conn:
        streets = list(
            conn.execute(text("SELECT DISTINCT name FROM street_names ORDER BY name")).scalars()
        )
    rng = random.Random(110)
    return [_one_query(landmarks, streets, rng) for _ in range(count)]


def _signature(count: int) -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{count}".encode())
    for path in sorted((PROJECT_ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    digest.update((Path(__file__)).read_bytes())
    return digest.hexdigest()[:16]


def _cached(engine: Engine, signature: str) -> bool:
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT signature FROM bench_million_names")).scalar()
    except Exception:  # noqa: BLE001 - absent database or table: not cached
        return False
    return found == signature


def _generate(engine: Engine, count: int, signature: str) -> None:
    """`count` names (8 categories, a 6-hex word, a number) on a grid over Balikpapan."""
    words = {f"w{i}": w for i, w in enumerate(CATEGORIES)}
    sql = text(
        "INSERT INTO places (source, name, kind, geom) SELECT 'bench-generated', "
        "(ARRAY[:w0,:w1,:w2,:w3,:w4,:w5,:w6,:w7])[1 + i % 8] || ' ' || md5(i::text)::varchar(6)"
        " || ' ' || (i % 997)::text, 'shop=yes', "
        "ST_SetSRID(ST_MakePoint(116.8 + (i % 1000) * 0.0002, -1.3 + (i / 1000) * 0.0002), 4326)"
        " FROM generate_series(1, :n) i"
    )
    with engine.begin() as conn:
        conn.execute(sql, words | {"n": count})
        conn.execute(text("CREATE TABLE bench_million_names (signature text NOT NULL)"))
        conn.execute(text("INSERT INTO bench_million_names VALUES (:s)"), {"s": signature})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def million_names_context(
    ctx: BenchContext, count: int, *, load: Callable[[BenchContext], None]
) -> BenchContext:
    """A context on the kept database of the real data plus `count` generated names."""
    name = f"siaga_bench_places_{count}"
    url = ctx.settings.database_url.rsplit("/", 1)[0] + "/" + name
    settings = ctx.settings.model_copy(update={"database_url": url})
    signature = _signature(count)
    engine = make_engine(settings)
    if not _cached(engine, signature):
        engine.dispose()
        started = time.monotonic()
        drop_database(ctx.settings, name)
        ensure_database(ctx.settings, name)
        upgrade(settings, url=url)
        engine = make_engine(settings)
        built = BenchContext(settings=settings, engine=engine, shared_data=ctx.shared_data)
        load(built)
        _generate(engine, count, signature)
        print(f"[bench] {name} built in {time.monotonic() - started:.0f} s (kept for next runs)")
    return BenchContext(
        settings=settings, engine=engine, shared_data=ctx.shared_data, quick=ctx.quick
    )
