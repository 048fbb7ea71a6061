"""Application factory: one app per process, built from Settings."""

from __future__ import annotations

import functools
import gc
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from api.access_cache import AccessCache, AccessListener
from api.body_limit import BodyLimit, body_limits
from api.deps import install_access_handlers, require_access
from api.errors import install_error_handlers
from api.openapi_links import add_resource_links
from api.policy import rule_for
from api.routes import (
    alarms,
    auth,
    bantuan,
    calls,
    console,
    dispatch,
    health,
    jurisdictions,
    live,
    pages,
    piket,
    places,
    spkt,
    tiles,
    tracker_devices,
    tracker_keys,
    trackers_http,
    tracking,
)
from core.db import make_engine, make_read_session_factory, make_session_factory
from core.logging import configure_logging
from core.mqtt import BrokerLink
from core.settings import Settings, get_settings

# The name the OpenAPI spec gives the bearer token scheme (as FastAPI's own would).
BEARER_SCHEME = "OAuth2PasswordBearer"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app; the lifespan opens the database pool and the broker link."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.read_session_factory = make_read_session_factory(engine)
        url = engine.url
        listen_args = {
            **url.translate_connect_args(database="dbname", username="user"),
            **url.query,
        }
        listener = AccessListener(listen_args, app.state.access_cache)
        listener.start()
        # Unique per app: containers all run as pid 1, and tests run two apps in one process.
        client_id = f"siaga-api-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        app.state.broker = BrokerLink(settings.mqtt_dsn("api"), client_id)
        app.state.broker.start()
        # Everything built so far lives as long as the process: keep it out of the cyclic
        # collector's full passes, which otherwise show up as multi-millisecond request stalls.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            app.state.broker.stop()
            listener.stop()
            engine.dispose()

    app = FastAPI(title="Siaga 110", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.access_cache = AccessCache(settings.auth_cache_ttl_s)
    install_error_handlers(app)
    install_access_handlers(app)
    app.add_middleware(BodyLimit, **body_limits(settings))
    for module in (
        health,
        auth,
        jurisdictions,
        places,
        tracking,
        dispatch,
        pages,
        live,
        console,
        bantuan,
        spkt,
        piket,
        calls,
        tiles,
        trackers_http,
        tracker_devices,
        tracker_keys,
        alarms,
    ):
        # Every route passes the central policy (api/policy.py); unknown routes are denied.
        app.include_router(module.router, dependencies=[Depends(require_access)])
    app.openapi = functools.partial(_openapi_with_bearer, app)  # type: ignore[method-assign]
    return app


def _openapi_with_bearer(app: FastAPI) -> dict[str, Any]:
    """FastAPI's spec plus the bearer scheme on every non-public route (the docs' Authorize)
    and the links from each answer that carries a resource to that resource's operations.

    Declared here rather than by a security dependency, which would cost every request.
    """
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = FastAPI.openapi(app)
    schema.setdefault("components", {})["securitySchemes"] = {
        BEARER_SCHEME: {
            "type": "oauth2",
            "flows": {"password": {"tokenUrl": "/api/auth/token", "scopes": {}}},
        }
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            rule = rule_for(method.upper(), path)
            if rule is not None and not rule.public:
                operation["security"] = [{BEARER_SCHEME: []}]
    add_resource_links(schema)
    return schema


def app_factory() -> FastAPI:
    """Entry point for uvicorn --factory."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
