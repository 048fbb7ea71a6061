"""Polda / Polres / Polsek jurisdiction polygons: import, validation, lookup."""
