"""Demo officials for `siaga demo`: the accountable Kapolda/Kapolres/Kapolsek and the SPKT's
signing officials (KA SPKT, KA SIAGA I-III) of every jurisdiction in the demo tree, so the demo
desk issues signed documents end to end. The people are invented (names common in Indonesia,
NRPs made up); a real deployment records its own with `siaga spkt official`.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from jurisdictions.models import Jurisdiction
from jurisdictions.service import descendant_ids
from spkt.followup import POSITION_BY_LEVEL, SPKT_POSITIONS, current_positions, set_official

GIVEN = (
    "Agus", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irwan", "Joko", "Made", "Nyoman",
    "Rahmat", "Rudi", "Slamet", "Taufik", "Wahyu", "Yusuf", "Andi", "Rina", "Sri", "Dewi",
)  # fmt: skip
FAMILY = (
    "Santoso", "Wijaya", "Hidayat", "Saputra", "Pratama", "Nugroho", "Siregar", "Lubis",
    "Hutapea", "Simanjuntak", "Rahman", "Syahputra", "Kurniawan", "Setiawan", "Halim",
)  # fmt: skip
# Ranks usual for the post at each level (Perkap 23/2010 and the Polsek/SPKT structures).
RANKS = {
    ("polda", "kapolda"): "IRJEN POL",
    ("polres", "kapolres"): "KOMBES POL",
    ("polsek", "kapolsek"): "KOMPOL",
    ("polda", "ka_spkt"): "AKBP",
    ("polres", "ka_spkt"): "KOMPOL",
    ("polsek", "ka_spkt"): "IPTU",
}
SIAGA_RANKS = {"polda": "KOMPOL", "polres": "IPTU", "polsek": "AIPTU"}


def _person(code: str, position: str) -> tuple[str, str]:
    """An invented name and NRP, the same for the same post on every run."""
    digest = hashlib.sha256(f"{code}/{position}".encode()).digest()
    name = f"{GIVEN[digest[0] % len(GIVEN)]} {FAMILY[digest[1] % len(FAMILY)]}"
    nrp = f"{7 + digest[2] % 3}{int.from_bytes(digest[3:7]) % 10_000_000:07d}"
    return name, nrp


def seed_demo_officials(session: Session, *, root_id: int) -> int:
    """Record the missing officials of the root and everything below it; how many were added."""
    ids = descendant_ids(session, jurisdiction_id=root_id)
    rows = session.execute(
        select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.level).where(
            Jurisdiction.id.in_(ids), Jurisdiction.valid_to.is_(None)
        )
    ).all()
    present = current_positions(session, ids=[row.id for row in rows])
    added = 0
    for row in rows:
        for position in (POSITION_BY_LEVEL[row.level], *SPKT_POSITIONS):
            if (row.id, position) in present:
                continue
            name, nrp = _person(row.code, position)
            rank = RANKS.get((row.level, position)) or SIAGA_RANKS[row.level]
            set_official(session, jurisdiction_id=row.id, position=position, name=name,
                         rank=rank, nrp=nrp)  # fmt: skip
            added += 1
    return added
