"""Web pages: operator console, commander live map, planner analysis, unit page."""
