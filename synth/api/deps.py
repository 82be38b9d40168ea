"""Dependencies every route uses: a database session and the authenticated principal."""

from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from synth.api.limits import FailedAuthThrottle
from synth.auth.principal import Principal
from synth.auth.service import authenticate
from synth.errors import Unauthorized
from synth.idempotency.service import request_fingerprint, run_once
from synth.schemas import MAX_PAGE, PageParams
from synth.themes.embedders import Embedder

# Each sync dependency costs a hop to a worker thread and back; the trivial ones are async,
# and a request's session needs one hop, at its end.


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One transaction per request, committed before the response is sent. Opening a session
    does no I/O (it connects at its first query, in the route's thread): only the commit (or
    rollback) and the return of the connection run in a worker thread."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(partial(_end, session, commit=False))
        raise
    await to_thread.run_sync(partial(_end, session, commit=True))


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


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="Items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


async def get_embedder(request: Request) -> Embedder:
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


@dataclass(frozen=True)
class Creator:
    """Runs a creating service call at most once per Idempotency-Key and answers with JSON."""

    request: Request
    db: Session
    principal: Principal
    idempotency_key: str | None

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


async def creator(
    request: Request,
    db: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Creator:
    return Creator(request, db, principal, idempotency_key)


CreateDep = Annotated[Creator, Depends(creator)]
