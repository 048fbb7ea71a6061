"""The one place that maps domain errors to HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

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


# Pydantic's reasons, by error type, in Bahasa Indonesia ({name}: from the error's context).
REASONS: dict[str, str] = {
    "missing": "wajib diisi",
    "missing_argument": "wajib diisi",
    "extra_forbidden": "tidak dikenal di sini",
    "literal_error": "harus salah satu dari: {expected}",
    "enum": "harus salah satu dari: {expected}",
    "string_too_short": "minimal {min_length} karakter",
    "string_too_long": "maksimal {max_length} karakter",
    "string_pattern_mismatch": "tidak sesuai pola {pattern}",
    "too_short": "minimal {min_length} butir",
    "too_long": "maksimal {max_length} butir",
    "greater_than": "harus lebih dari {gt}",
    "greater_than_equal": "harus paling sedikit {ge}",
    "less_than": "harus kurang dari {lt}",
    "less_than_equal": "harus paling banyak {le}",
    "multiple_of": "harus kelipatan {multiple_of}",
    "finite_number": "harus bilangan terhingga",
    "int_from_float": "harus bilangan bulat (tanpa pecahan)",
    "json_invalid": "bukan JSON yang sah",
    "timezone_aware": "harus memakai zona waktu",
    "timezone_naive": "tidak boleh memakai zona waktu",
    "datetime_past": "harus waktu yang sudah lewat",
    "datetime_future": "harus waktu yang akan datang",
    "date_past": "harus tanggal yang sudah lewat",
    "date_future": "harus tanggal yang akan datang",
    "none_required": "harus kosong (null)",
    "union_tag_invalid": "jenis {tag} tidak dikenal; pilihan: {expected_tags}",
    "union_tag_not_found": "jenis ({discriminator}) wajib diisi",
    "url_scheme": "skema URL harus {expected_schemes}",
}
# Types named <kind>_type / <kind>_parsing / ...: "harus berupa <kind>".
KINDS: dict[str, str] = {
    "int": "bilangan bulat",
    "float": "bilangan",
    "decimal": "bilangan desimal",
    "complex": "bilangan kompleks",
    "bool": "benar/salah (true/false)",
    "string": "teks",
    "str": "teks",
    "bytes": "data biner",
    "list": "daftar",
    "tuple": "daftar",
    "set": "daftar tanpa duplikat",
    "frozen_set": "daftar tanpa duplikat",
    "iterable": "daftar",
    "dict": "objek",
    "mapping": "objek",
    "model": "objek",
    "dataclass": "objek",
    "typed_dict": "objek",
    "datetime": "tanggal dan waktu (ISO 8601, mis. 2026-12-03T08:30:00+08:00)",
    "date": "tanggal (TTTT-BB-HH)",
    "time": "waktu (JJ:MM:DD)",
    "time_delta": "durasi",
    "timedelta": "durasi",
    "uuid": "UUID",
    "url": "URL",
    "callable": "fungsi",
    "arguments": "argumen",
    "is_instance": "nilai yang sah",
    "is_subclass": "nilai yang sah",
}


def validation_reason(error: dict) -> str:
    """Why pydantic refused a value, in Bahasa Indonesia (our own validators' text as is)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind in REASONS:
        return REASONS[kind].format_map(_Context(ctx))
    for name in sorted(KINDS, key=len, reverse=True):
        if kind == name or kind.startswith(name + "_"):
            return f"harus berupa {KINDS[name]}"
    return "nilai tidak sah"


class _Context(dict):
    """Error context for str.format_map: a value the error did not give reads as '?'."""

    def __missing__(self, key: str) -> str:
        return "?"


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": ".".join(str(part) for part in err["loc"]), "reason": validation_reason(err)}
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"field": None, "reason": "permintaan tidak sah"}
    name = first["field"].split(".", 1)[-1] if first["field"] else "permintaan"
    message = f"{name}: {first['reason']}"
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


# What the framework itself answers (no route of ours raises HTTPException), in Bahasa Indonesia.
HTTP_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("invalid_input", "isi permintaan tidak dapat dibaca (JSON/form rusak)", "body"),
    404: ("not_found", "alamat tidak ditemukan", "path"),
    405: ("method_not_allowed", "metode ini tidak berlaku untuk alamat ini", "method"),
}


async def http_error_handler(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own errors (unreadable body, unknown path, wrong method) named in Bahasa."""
    code, message, field = HTTP_ERRORS.get(
        exc.status_code, ("error", f"permintaan ditolak (HTTP {exc.status_code})", None)
    )
    log.info("http %s on %s: %s", exc.status_code, request.url.path, exc.detail)
    return JSONResponse(
        _error_body(code, message, field), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, http_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(SiagaError, siaga_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, data_error_handler)  # type: ignore[arg-type]
