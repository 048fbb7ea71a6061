"""Pure geometry: coordinate checks, CRS transforms, geodesic measures (no database, no I/O)."""
