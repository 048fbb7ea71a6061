"""OpenAPI declarations for the routes that answer with a file or a page instead of JSON.

Without them FastAPI documents every 200 as application/json, and a client (or schemathesis'
content-type check) is told the wrong thing about a PDF, a CSV or a page.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

BINARY = {"type": "string", "format": "binary"}


def file_route(media_type: str, description: str, schema: dict = BINARY) -> dict[str, Any]:
    """Route keyword arguments for a 200 whose body is a `media_type` file."""
    content = {media_type: {"schema": schema}}
    return {
        "response_class": Response,
        "responses": {200: {"description": description, "content": content}},
    }


PDF = file_route("application/pdf", "Dokumen PDF")
CSV = file_route("text/csv", "Tabel CSV")
GEOJSON = file_route(
    "application/geo+json", "GeoJSON FeatureCollection", {"type": "object", "required": ["type"]}
)
ANY_FILE = file_route("*/*", "Berkas sebagaimana dilampirkan")
