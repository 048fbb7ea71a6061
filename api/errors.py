"""The one place that maps domain errors to HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    SiagaError,
)

log = logging.getLogger("siaga.api")

STATUS_BY_ERROR: list[tuple[type[SiagaError], int, str]] = [
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid_input"),
    (Forbidden, 403, "forbidden"),
    (ServiceUnavailable, 503, "service_unavailable"),
]


def _error_body(code: str, message: str, field: str | None, **extra: object) -> dict:
    return {"error": code, "message": message, "field": field, **extra}


async def siaga_error_handler(request: Request, exc: SiagaError) -> JSONResponse:
    for error_type, status, code in STATUS_BY_ERROR:
        if isinstance(exc, error_type):
            return JSONResponse(_error_body(code, exc.message, exc.field), status_code=status)
    log.error("unmapped domain error on %s: %s", request.url.path, exc)
    return JSONResponse(_error_body("error", exc.message, exc.field), status_code=500)


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": ".".join(str(part) for part in err["loc"]), "reason": err["msg"]}
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"field": None, "reason": "invalid request"}
    message = f"{first['field']}: {first['reason']}"
    return JSONResponse(
        _error_body("invalid_input", message, first["field"], errors=errors), status_code=422
    )


async def data_error_handler(request: Request, exc: DataError) -> JSONResponse:
    """Values the database cannot hold (an id past int4, an offset past +/-15:59) are bad input."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    log.info("rejected input on %s: %s", request.url.path, reason)
    return JSONResponse(
        _error_body("invalid_input", f"nilai di luar jangkauan: {reason}", None), status_code=422
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SiagaError, siaga_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, data_error_handler)  # type: ignore[arg-type]
