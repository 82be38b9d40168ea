"""Every error leaves the API as JSON: {"code": ..., "message": ..., "details"?: ...}.

Database failures are part of that contract: a database that is down or saturated answers
503 with Retry-After, a constraint that a race broke answers 409 or 422, never 500.
"""

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from synth.api.limits import OVERLOADED, RETRY_DATABASE_S, RETRY_OVERLOADED_S, security_headers
from synth.errors import SynthError

log = logging.getLogger("synth.api")

HTTP_CODES = {
    400: "malformed_json",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

# Unique constraints whose service-level check already has a code: a request that loses the
# race between check and insert gets the same code as one that arrives later.
UNIQUE_CODES = {
    "uq_people_email": ("duplicate_person", "a person with this email already exists"),
    "uq_review_periods_name": ("duplicate_period", "a period with this name already exists"),
    "uq_expectations_source_draft_id_source_index": (
        "already_adopted",
        "this suggestion has already been adopted",
    ),
}
# Raised by the triggers of migration 0010 on any change to a locked expectation.
LOCKED_SQLSTATE = "23L01"

# SQLSTATE classes that mean "busy", not "down": insufficient resources, a cancelled
# (timed-out) statement, a serialization failure or deadlock, a lock not available.
_BUSY_SQLSTATES = ("53", "57014", "40", "55P03")
_KEY_COLUMNS = re.compile(r"Key \(([^)]*)\)=")


class ErrorBody(BaseModel):
    """The shape of every error the API answers, whatever raised it."""

    code: str = Field(
        description="Stable, machine-readable reason, e.g. `person_not_found`",
        examples=["invalid_request"],
    )
    message: str = Field(description="What went wrong, for a person to read")
    details: Any = Field(
        default=None,
        description=(
            "Present only when there is more to say: per-field problems of an invalid request "
            "(`loc`, `type`, `message`), per-row problems of a rejected import, findings"
        ),
    )


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """An `ErrorBody` as JSON, without `details` when there are none."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "type": e.get("type"), "message": e.get("msg")}
        for e in exc.errors()
    ]


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) or ""


def integrity_response(exc: IntegrityError) -> JSONResponse:
    """409 for a duplicate or a row still referenced; 422 for a reference to nothing."""
    sqlstate = _sqlstate(exc)
    if sqlstate == LOCKED_SQLSTATE:
        return JSONResponse(
            status_code=409,
            content=error_body(
                "expectation_locked", "this expectation is locked for the period and cannot change"
            ),
        )
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    table = getattr(diag, "table_name", None) or "record"
    if sqlstate == "23505":
        if constraint in UNIQUE_CODES:
            code, message = UNIQUE_CODES[constraint]
        else:
            found = _KEY_COLUMNS.search(getattr(diag, "message_detail", None) or "")
            what = f" with this {found.group(1)}" if found else ""
            code, message = "duplicate", f"a {table} record{what} already exists"
        return JSONResponse(status_code=409, content=error_body(code, message))
    if sqlstate == "23503":
        primary = getattr(diag, "message_primary", None) or ""
        if primary.startswith("insert or update"):
            return JSONResponse(
                status_code=422,
                content=error_body("unknown_reference", f"a {table} record refers to nothing"),
            )
        return JSONResponse(
            status_code=409,
            content=error_body("conflict", f"other records still refer to this {table} record"),
        )
    if sqlstate in ("23502", "23514"):
        return JSONResponse(
            status_code=422, content=error_body("invalid_data", "a value cannot be stored as given")
        )
    return JSONResponse(
        status_code=409, content=error_body("conflict", "the request clashes with stored data")
    )


def unavailable_response(exc: BaseException) -> JSONResponse:
    """503 with Retry-After: `overloaded` when the database is busy, else unavailable."""
    if isinstance(exc, PoolTimeout) or _sqlstate(exc).startswith(_BUSY_SQLSTATES):
        code, retry, message = OVERLOADED, RETRY_OVERLOADED_S, "the database is busy; retry"
    else:
        code, retry, message = (
            "database_unavailable",
            RETRY_DATABASE_S,
            "the database is unavailable; retry shortly",
        )
    log.warning("%s: %s", code, getattr(exc, "orig", None) or exc)
    return JSONResponse(
        status_code=503, content=error_body(code, message), headers={"Retry-After": str(retry)}
    )


ErrorPage = Callable[[Request, JSONResponse], Response]
Handler = Callable[[Request, Any], Awaitable[JSONResponse]]


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a stable JSON error.

    The web app sets `app.state.error_page`: it turns the same error into a page (or a
    redirect to sign in) for a browser on /app, so both answer with one status and code.
    """

    def handles(*kinds: type[Exception]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def answer(request: Request, exc: Any) -> Response:
                response = await handler(request, exc)
                page: ErrorPage | None = getattr(request.app.state, "error_page", None)
                return response if page is None else page(request, response)

            for kind in kinds:
                app.add_exception_handler(kind, answer)
            return handler

        return register

    @handles(SynthError)
    async def synth_error(_: Request, exc: SynthError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status, content=exc.to_dict(), headers=exc.headers() or None
        )

    @handles(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return JSONResponse(
                status_code=400,
                content=error_body("malformed_json", "the request body is not valid JSON", details),
            )
        return JSONResponse(
            status_code=422,
            content=error_body(
                "invalid_request", "the request does not match the documented schema", details
            ),
        )

    @handles(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return JSONResponse(
            status_code=exc.status_code,
            content=error_body(code, str(exc.detail)),
            headers=getattr(exc, "headers", None),
        )

    @handles(DataError)
    async def unstorable(_: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold that validation did not catch: still bad input.
        log.warning("database refused a value: %s", exc.orig)
        return JSONResponse(
            status_code=422,
            content=error_body("invalid_data", "a value cannot be stored as given"),
        )

    @handles(IntegrityError)
    async def constraint(_: Request, exc: IntegrityError) -> JSONResponse:
        # Services check first for the friendly message; this catches the race between two
        # requests that both passed the check.
        log.info("constraint violation: %s", exc.orig)
        return integrity_response(exc)

    @handles(
        OperationalError,
        InterfaceError,
        PoolTimeout,
        psycopg.OperationalError,
        psycopg.InterfaceError,
    )
    async def database_down(_: Request, exc: Exception) -> JSONResponse:
        return unavailable_response(exc)

    @handles(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        # Starlette answers 500s outside every middleware, so add their headers here.
        return JSONResponse(
            status_code=500,
            content=error_body("internal_error", "an unexpected error occurred"),
            headers=security_headers(request.url.path),
        )
