"""OpenAPI links from answers that carry a resource to the operations on that resource."""

from __future__ import annotations

from api.openapi_links import add_resource_links
from core.settings import Settings


def _answer(name: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def _document() -> dict:
    def operation(op_id: str, **responses: dict) -> dict:
        return {"operationId": op_id, "responses": responses}

    return {
        "paths": {
            "/users": {
                "get": operation("list", **{"200": {"content": {"application/json": {}}}}),
                "post": operation("create", **{"201": _answer("User"), "422": _answer("User")}),
            },
            "/users/{username}": {
                "get": operation("read", **{"200": _answer("User")}),
                "delete": operation("remove", **{"204": {}}),
            },
            "/users/{username}/sessions": {"get": operation("sessions", **{"200": {}})},
            "/users/{username}/sessions/{session_id}": {"get": operation("one", **{"200": {}})},
            "/cars/{car_id}": {"get": operation("car", **{"200": _answer("Car")})},
        },
        "components": {
            "schemas": {
                "User": {"properties": {"id": {}, "username": {}}},
                "Car": {"properties": {"id": {}}},
            }
        },
    }


def test_an_answer_carrying_an_item_links_to_its_operations() -> None:
    document = _document()
    add_resource_links(document)
    paths = document["paths"]
    created = paths["/users"]["post"]["responses"]["201"]["links"]
    assert set(created) == {"read", "remove", "sessions"}  # not what needs another parameter
    assert created["read"] == {
        "operationId": "read",
        "parameters": {"username": "$response.body#/username"},  # the field named as the param
    }
    car = paths["/cars/{car_id}"]["get"]["responses"]["200"]["links"]
    assert car["car"]["parameters"] == {"car_id": "$response.body#/id"}  # car_id is a car's id
    # A list, an error and an empty answer carry no item.
    assert "links" not in paths["/users"]["get"]["responses"]["200"]
    assert "links" not in paths["/users"]["post"]["responses"]["422"]
    assert "links" not in paths["/users/{username}"]["delete"]["responses"]["204"]


def test_the_apps_unit_answers_link_to_the_unit() -> None:
    from api.app import create_app

    paths = create_app(Settings()).openapi()["paths"]
    read = "get_unit_api_units__unit_id__get"
    for method, path, status in [
        ("post", "/api/units", "201"),
        ("patch", "/api/units/{unit_id}", "200"),
    ]:
        links = paths[path][method]["responses"][status]["links"]
        assert links[read]["parameters"] == {"unit_id": "$response.body#/id"}
    incident = paths["/api/incidents"]["post"]["responses"]["201"]["links"]
    assert "get_duplicates_api_incidents__incident_id__duplicates_get" in incident
