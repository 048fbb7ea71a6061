"""Places: OSM streets and landmarks, administrative areas, search and reverse geocoding."""
