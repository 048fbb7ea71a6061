"""OpenAPI links: a response that carries a resource names the operations on that resource.

POST /api/units answers the new unit; its `id` is the `{unit_id}` of GET, PATCH and DELETE
/api/units/{unit_id} and of the unit's own sub-resources (GET /api/units/{unit_id}/positions).
API clients read the relation from the document, and schemathesis' stateful tests follow it:
a change, then the reads of what it changed (tests/api/test_schemathesis.py).
"""

from __future__ import annotations

import re
from typing import Any

# /api/units/{unit_id}: a collection without parameters, then the item's one parameter.
ITEM_PATH = re.compile(r"^(?P<collection>[^{}]*)/\{(?P<param>[A-Za-z_][A-Za-z0-9_]*)\}$")


def add_resource_links(document: dict[str, Any]) -> None:
    """Link each 2xx answer of a collection or item path that carries an item to that item."""
    paths = document.get("paths", {})
    items = {}  # collection or item path -> (item path, its parameter)
    for path in paths:
        if match := ITEM_PATH.match(path):
            items[match["collection"]] = items[path] = (path, match["param"])
    for path, operations in paths.items():
        if path not in items:
            continue
        item_path, param = items[path]
        targets = _operations_on(paths, item_path)
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                field = _item_field(document, response, param) if status.startswith("2") else None
                if field is None:
                    continue
                links = response.setdefault("links", {})
                for target in targets:
                    links[target["operationId"]] = {
                        "operationId": target["operationId"],
                        "parameters": {param: f"$response.body#/{field}"},
                    }


def _operations_on(paths: dict[str, Any], item_path: str) -> list[dict[str, Any]]:
    """The item's own operations and those of its sub-resources that need nothing else."""
    found = []
    for path, operations in paths.items():
        below = path[len(item_path) :]
        if path == item_path or (path.startswith(item_path + "/") and "{" not in below):
            found += [op for op in operations.values() if "operationId" in op]
    return found


def _item_field(document: dict[str, Any], response: dict[str, Any], param: str) -> str | None:
    """The answer's field that is the item's parameter: `unit_id` is a unit's `id`."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
    properties = schema.get("properties", {})
    if param in properties:
        return param
    if param.endswith("_id") and "id" in properties:
        return "id"
    return None
