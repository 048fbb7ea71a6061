"""Deadlines by which a report must be settled, and the aging buckets: one source for both.

The SOP asks the desk to serve a report at once; these are the limits past which the
accountable official of the jurisdiction answers for it (kept here so views, PDFs and tests
read the same numbers).
"""

from __future__ import annotations

from datetime import timedelta

# An SPKT report until it is settled (an LP, a letter, or closed with its reason).
REPORT_DEADLINE = {
    "kehilangan": timedelta(hours=24),  # the letter is issued on the spot, free of charge
    "pengaduan": timedelta(days=3),
    "pidana": timedelta(days=3),  # gelar awal with Sat Reskrim, then an LP or a closing
}
# A valid 110 incident until it is closed with a disposition.
INCIDENT_DEADLINE = timedelta(hours=24)
# A 110 incident closed as "laporan_polisi" until the SPKT desk has received it.
HANDOVER_DEADLINE = timedelta(hours=24)
# An incident forwarded to a function (piket) until the function reports its result back.
FORWARD_DEADLINE = timedelta(hours=24)
# After the LP, the reporter gets an SP2HP at least this often (Perkap 6/2019: periodically).
SP2HP_INTERVAL = timedelta(days=30)

# (label, upper bound) of each aging bucket, by time open; the last has no bound.
AGING_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 1 hari", timedelta(days=1)),
    ("1-3 hari", timedelta(days=3)),
    ("3-7 hari", timedelta(days=7)),
    ("7-30 hari", timedelta(days=30)),
    ("> 30 hari", None),
)


def bucket_of(age: timedelta) -> str:
    """The aging bucket label of an item open for `age`."""
    for label, bound in AGING_BUCKETS:
        if bound is None or age < bound:
            return label
    raise AssertionError("the last bucket has no bound")
