"""The FastAPI application: /v1 routers, JSON errors, request limits, headers, OpenAPI."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from synth import __version__, web
from synth.api import errors, openapi
from synth.api.limits import (
    RETRY_DATABASE_S,
    BodySizeLimit,
    ConcurrencyLimit,
    FailedAuthThrottle,
    SecurityHeaders,
)
from synth.api.routers import admin, cycles, drafts, feedback, people, talent, themes, webhooks
from synth.config import get_settings
from synth.db.engine import database_answers, get_engine, health_engine, session_factory
from synth.drafting.factory import drafter_name
from synth.themes.embedders import Embedder, get_embedder

log = logging.getLogger("synth.api")
THREAD_HEADROOM = 8  # threads beyond the request limit, for /healthz and /docs


class Health(BaseModel):
    """What /healthz reports."""

    status: str = Field(description="`ok`, or `unavailable` when the database does not answer")
    database: str = Field(description="`ok` or `down`")
    worker: dict[str, Any] | None = Field(
        default=None,
        description="The in-process worker (running, restarts, last_error, ...), when it runs",
    )


def create_app(engine: Engine | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the app on `engine` and `embedder` (default: the configured ones)."""
    settings = get_settings()
    engine = engine or get_engine()
    request_limit = settings.request_limit

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run in anyio's thread pool (40 by default): never let it be the
        # smaller limit, or admitted requests would queue there instead of being served.
        threads = to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, request_limit + THREAD_HEADROOM)
        yield

    app = FastAPI(
        title="synth",
        version=__version__,
        lifespan=lifespan,
        # FastAPI's own pages load their scripts from a CDN: openapi.install serves local ones.
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
        description=(
            "Feedback synthesis for engineering performance management. Authenticate with "
            "`Authorization: Bearer <api key>` (create keys with `synth keys create`). Errors "
            "are JSON objects with a stable `code` and a `message`. A 503 (`overloaded`, "
            "`database_unavailable`) or 429 carries `Retry-After`: wait that many seconds "
            "and retry, with the same Idempotency-Key for a POST."
        ),
    )
    app.state.engine = engine
    app.state.health_engine = health_engine(engine)
    app.state.session_factory = session_factory(engine)
    app.state.embedder = embedder or get_embedder()
    app.state.drafter_name = drafter_name()
    app.state.auth_throttle = FailedAuthThrottle(
        limit=settings.auth_failure_limit, window_s=settings.auth_failure_window_s
    )
    app.state.worker_health = None
    errors.install(app)
    # Added inside out: the last one added sees the request first.
    app.add_middleware(
        ConcurrencyLimit, limit=request_limit, queue_timeout_s=settings.request_queue_timeout_s
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Retry-After", "Idempotent-Replayed", "Location"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    for module in (people, cycles, feedback, talent, themes, drafts, admin, webhooks):
        app.include_router(module.router, prefix="/v1")

    @app.get(
        "/healthz",
        tags=["meta"],
        summary="Liveness and database reachability (never limited, never authenticated)",
        response_model=Health,
        responses={
            503: {
                "model": Health,
                "description": "The database does not answer; Retry-After is set",
                "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
            }
        },
    )
    def healthz(request: Request) -> JSONResponse:
        up = database_answers(request.app.state.health_engine)
        body: dict[str, Any] = (
            {"status": "ok", "database": "ok"}
            if up
            else {"status": "unavailable", "database": "down"}
        )
        worker_health: Callable[[], dict[str, Any]] | None = request.app.state.worker_health
        if worker_health is not None:
            try:
                body["worker"] = worker_health()
            except Exception as exc:  # a broken reporter must not take /healthz down with it
                log.exception("worker health report failed")
                body["worker"] = {"error": str(exc)}
        headers = None if up else {"Retry-After": str(RETRY_DATABASE_S)}
        return JSONResponse(status_code=200 if up else 503, content=body, headers=headers)

    openapi.install(app)
    web.install(app)
    return app
