"""OSRM route steps as a turn list in Bahasa Indonesia (street names and distances)."""

from __future__ import annotations

from typing import Any

MODIFIERS = {
    "left": "kiri",
    "right": "kanan",
    "slight left": "agak ke kiri",
    "slight right": "agak ke kanan",
    "sharp left": "tajam ke kiri",
    "sharp right": "tajam ke kanan",
    "straight": "lurus",
    "uturn": "putar balik",
}


def distance_text(metres: float) -> str:
    """'350 m' below a kilometre, else '1,2 km' (Indonesian decimal comma)."""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m"
    return f"{metres / 1000:.1f} km".replace(".", ",")


def _action(kind: str, modifier: str, road: str) -> str:
    side = MODIFIERS.get(modifier, "")
    if kind == "depart":
        return f"Berangkat{f' di {road}' if road else ''}"
    if kind == "arrive":
        return "Tiba di lokasi kejadian"
    if kind in ("roundabout", "rotary"):
        return f"Masuk bundaran, keluar ke {road or 'jalan berikutnya'}"
    if modifier == "uturn":
        return f"Putar balik{f' di {road}' if road else ''}"
    if modifier == "straight" or kind in ("new name", "continue") and not side:
        return f"Lurus terus{f' ke {road}' if road else ''}"
    verb = "Belok" if kind in ("turn", "end of road", "fork", "on ramp", "off ramp") else "Ambil"
    return f"{verb} {side} ke {road}" if road else f"{verb} {side}"


def turn_list(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each step as {text, road, distance_m, duration_s, location} in Bahasa Indonesia."""
    turns = []
    for step in steps:
        maneuver = step.get("maneuver", {})
        road = step.get("name") or step.get("ref") or ""
        text = _action(maneuver.get("type", ""), maneuver.get("modifier", ""), road)
        if maneuver.get("type") != "arrive" and step.get("distance", 0) > 0:
            text += f", {distance_text(step['distance'])}"
        turns.append(
            {
                "text": text,
                "road": road,
                "distance_m": round(float(step.get("distance", 0.0)), 1),
                "duration_s": round(float(step.get("duration", 0.0)), 1),
                "location": maneuver.get("location"),
            }
        )
    return turns
