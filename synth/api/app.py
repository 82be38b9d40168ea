"""The FastAPI application: /v1 routers, JSON errors, body-size limit, OpenAPI."""

from fastapi import FastAPI
from sqlalchemy import Engine

from synth import __version__
from synth.api import errors
from synth.api.limits import BodySizeLimit
from synth.api.routers import admin, cycles, drafts, feedback, people, talent, themes
from synth.config import get_settings
from synth.db.engine import get_engine, session_factory
from synth.drafting.factory import drafter_name
from synth.themes.embedders import Embedder, get_embedder


def create_app(engine: Engine | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the app on `engine` and `embedder` (default: the configured ones)."""
    app = FastAPI(
        title="synth",
        version=__version__,
        description=(
            "Feedback synthesis for engineering performance management. Authenticate with "
            "`Authorization: Bearer <api key>` (create keys with `synth keys create`). Errors "
            "are JSON objects with a stable `code` and a `message`."
        ),
    )
    app.state.session_factory = session_factory(engine or get_engine())
    app.state.embedder = embedder or get_embedder()
    app.state.drafter_name = drafter_name()
    errors.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=get_settings().max_request_bytes)
    for module in (people, cycles, feedback, talent, themes, drafts, admin):
        app.include_router(module.router, prefix="/v1")

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
