"""Dependencies every route uses: a database session and the authenticated principal."""

from collections.abc import Callable, Collection, Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from synth.api.limits import FailedAuthThrottle
from synth.auth.principal import Principal
from synth.auth.service import authenticate
from synth.db.engine import transaction
from synth.errors import Unauthorized
from synth.idempotency.service import request_fingerprint, run_once
from synth.schemas import PageParams
from synth.themes.embedders import Embedder


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with transaction(factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def get_principal(
    request: Request,
    db: SessionDep,
    authorization: Annotated[str | None, Header(description="Bearer <api key>")] = None,
) -> Principal:
    """The caller behind `Authorization: Bearer <key>`, or 401 (429 after many bad keys)."""
    if authorization is None:
        raise Unauthorized("missing Authorization: Bearer <api key> header", code="missing_api_key")
    throttle: FailedAuthThrottle = request.app.state.auth_throttle
    client = request.client.host if request.client else "unknown"
    # Checked before the key is looked up: a throttled client costs no query, and a valid
    # key guessed while throttled is not told apart from a wrong one.
    throttle.check(client)
    try:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use Authorization: Bearer <api key>", code="invalid_api_key")
        return authenticate(db_session=db, token=token.strip())
    except Unauthorized:
        throttle.failed(client)
        raise


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
PageDep = Annotated[PageParams, Depends()]


def get_embedder(request: Request) -> Embedder:
    embedder: Embedder = request.app.state.embedder
    return embedder


EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying a POST with the same key replays the first response",
    ),
]


class Creator:
    """Runs a creating service call at most once per Idempotency-Key and answers with JSON."""

    def __init__(
        self,
        request: Request,
        db: SessionDep,
        principal: CurrentPrincipal,
        idempotency_key: IdempotencyKey = None,
    ) -> None:
        self.request = request
        self.db = db
        self.principal = principal
        self.idempotency_key = idempotency_key

    def __call__(
        self,
        payload: BaseModel,
        produce: Callable[[Session, Principal], BaseModel | dict[str, Any]],
        status_code: int = 201,
        secret_fields: Collection[str] = (),
    ) -> JSONResponse:
        """Answer with `produce`'s result; `secret_fields` of it are never stored for replay."""

        def run() -> tuple[int, Any]:
            result = produce(self.db, self.principal)
            body = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
            return status_code, body

        request = self.request
        status, body, replayed = run_once(
            db_session=self.db,
            principal=self.principal,
            key=self.idempotency_key,
            fingerprint=request_fingerprint(
                request.method, request.url.path, payload.model_dump(mode="json")
            ),
            produce=run,
            secret_fields=frozenset(secret_fields),
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return JSONResponse(status_code=status, content=body, headers=headers)


CreateDep = Annotated[Creator, Depends()]
