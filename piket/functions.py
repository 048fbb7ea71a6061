"""The functions (fungsi terkait) an incident can be forwarded to, inside and outside Polri.

One source for the codes: users of role `desk` carry one of them (`users.function_code`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    code: str
    label: str
    outside_polri: bool = False


FUNCTIONS: dict[str, Function] = {
    f.code: f
    for f in (
        Function("reskrim", "Satreskrim"),
        Function("lantas", "Satlantas"),
        Function("intelkam", "Satintelkam"),
        Function("samapta", "Satsamapta"),
        Function("binmas", "Satbinmas"),
        Function("narkoba", "Satresnarkoba"),
        Function("propam", "Sipropam"),
        Function("polairud", "Satpolairud"),
        Function("damkar", "Pemadam Kebakaran (Damkar)", outside_polri=True),
        Function("bpbd", "BPBD", outside_polri=True),
        Function("psc119", "Ambulans / PSC 119", outside_polri=True),
    )
}


def function_label(code: str) -> str:
    """The Bahasa Indonesia label of a function code (the code itself if unknown)."""
    found = FUNCTIONS.get(code)
    return found.label if found else code
