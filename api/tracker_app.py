"""The trackers' own listener (`siaga trackers-http`, Traccar's port 5055 by default): only the
HTTP tracker inputs and /health, so it can face the phones' network while the API stays inside.

The OsmAnd protocol is also served at "/", as Traccar serves it: a hardware tracker that takes
only a host and a port, or a Traccar Client left at `http://host:5055`, reports there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.body_limit import BodyLimit, body_limits
from api.deps import install_access_handlers
from api.errors import install_error_handlers
from api.routes import health, trackers_http
from core.db import make_engine, make_session_factory
from core.logging import configure_logging
from core.mqtt import BrokerLink
from core.settings import Settings, get_settings


def create_tracker_app(settings: Settings | None = None) -> FastAPI:
    """A FastAPI app with the tracker routes (at /osmand, /traccar and "/") and /health."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings, pool_size=4)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        client_id = f"siaga-trackers-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        app.state.broker = BrokerLink(settings.mqtt_dsn("trackers"), client_id)
        app.state.broker.start()
        try:
            yield
        finally:
            app.state.broker.stop()
            engine.dispose()

    app = FastAPI(title="Siaga 110 trackers", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    install_access_handlers(app)
    app.add_middleware(BodyLimit, **body_limits(settings))
    app.include_router(health.router)
    app.include_router(trackers_http.router)
    app.include_router(trackers_http.root_router)
    return app


def tracker_app_factory() -> FastAPI:
    """Entry point for uvicorn --factory."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_tracker_app(settings)
