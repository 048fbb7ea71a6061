"""Application factory: one app per process, built from Settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.deps import check_input, install_access_handlers, require_access
from api.errors import install_error_handlers
from api.routes import auth, dispatch, health, jurisdictions, live, pages, tracking
from core.db import make_engine, make_session_factory
from core.logging import configure_logging
from core.mqtt import BrokerLink
from core.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app; the lifespan opens the database pool and the broker link."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        # Unique per app: containers all run as pid 1, and tests run two apps in one process.
        client_id = f"siaga-api-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        app.state.broker = BrokerLink(settings.mqtt_dsn(), client_id)
        app.state.broker.start()
        try:
            yield
        finally:
            app.state.broker.stop()
            engine.dispose()

    app = FastAPI(title="Siaga 110", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    install_access_handlers(app)
    for module in (health, auth, jurisdictions, tracking, dispatch, pages, live):
        # Every route passes the central policy (api/policy.py); unknown routes are denied.
        app.include_router(
            module.router, dependencies=[Depends(require_access), Depends(check_input)]
        )
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn --factory."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
