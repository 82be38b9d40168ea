"""What the API does before a route runs: body size, concurrency, failed-auth throttling,
and the headers every response carries."""

import asyncio
import html
import json
import math
import threading
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synth.errors import TooManyRequests

PAYLOAD_TOO_LARGE = "payload_too_large"
OVERLOADED = "overloaded"
RETRY_OVERLOADED_S = 2
RETRY_DATABASE_S = 5
UNLIMITED_PATHS = frozenset({"/healthz"})

APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


# The web app (synth.web) lives under this prefix; its static files under WEB_STATIC. Errors
# answered here, before any route, are pages there and JSON everywhere else.
WEB_PREFIX = "/app"
WEB_STATIC = f"{WEB_PREFIX}/static"


def in_web_app(path: str) -> bool:
    return path == WEB_PREFIX or path.startswith(f"{WEB_PREFIX}/")


def is_web_page(path: str) -> bool:
    """A page of the web app (not one of its static files): its errors are pages too."""
    return in_web_app(path) and not path.startswith(f"{WEB_STATIC}/")


def _page(status: int, body: dict[str, str]) -> bytes:
    """The error as a small page, for a browser on the web app: these answers leave before
    any route (or the web app's templates) runs."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>synth</title>'
        f'<link rel="stylesheet" href="{WEB_STATIC}/app.css"></head><body><main>'
        f"<h1>Try again shortly</h1><p>{html.escape(body['message'])}</p>"
        f'<p class="code">Error <code>{html.escape(body["code"])}</code> (HTTP {status})</p>'
        "</main></body></html>"
    ).encode()


async def _send_error(
    scope: Scope,
    send: Send,
    status: int,
    body: dict[str, str],
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    """JSON with a stable code, or the same as a page for the web app's pages."""
    page = is_web_page(scope["path"])
    content_type = b"text/html; charset=utf-8" if page else b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), *headers],
        }
    )
    payload = _page(status, body) if page else json.dumps(body).encode()
    await send({"type": "http.response.body", "body": payload})


class BodySizeLimit:
    """ASGI middleware: 413 for a declared or streamed body over `max_bytes`.

    The body is read (up to the limit) before the app runs, then replayed to it, so a
    chunked upload without Content-Length is refused as cleanly as a declared one.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(scope, send)
                return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._reject(scope, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        message = f"request body over the {self.max_bytes}-byte limit"
        await _send_error(scope, send, 413, {"code": PAYLOAD_TOO_LARGE, "message": message})


class ConcurrencyLimit:
    """ASGI middleware: at most `limit` requests inside the app at once.

    `limit` matches the connection pool, so an admitted request finds a connection and the
    rest never queue into a pool time-out. A request may wait `queue_timeout_s` for a slot
    (absorbing short bursts); past that it is answered 503 `overloaded` with Retry-After at
    once. /healthz is never limited, so a busy server still reports itself alive.
    """

    def __init__(self, app: ASGIApp, *, limit: int, queue_timeout_s: float) -> None:
        self.app = app
        self.limit = limit
        self.queue_timeout_s = queue_timeout_s
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; test clients may run several in turn.
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        if not await self._admit(slots):
            await _send_error(
                scope,
                send,
                503,
                {"code": OVERLOADED, "message": "the server is at capacity; retry shortly"},
                ((b"retry-after", str(RETRY_OVERLOADED_S).encode()),),
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()

    async def _admit(self, slots: asyncio.Semaphore) -> bool:
        if not slots.locked():
            await slots.acquire()
            return True
        if self.queue_timeout_s <= 0:
            return False
        try:
            async with asyncio.timeout(self.queue_timeout_s):
                await slots.acquire()
        except TimeoutError:
            return False
        return True


def security_headers(path: str) -> dict[str, str]:
    """The headers every response carries; API responses are never cached (they hold
    feedback and, once, API keys)."""
    headers = {name.decode(): value.decode() for name, value in _SECURITY_HEADERS}
    if path.startswith("/v1"):
        headers["cache-control"] = "no-store"
    elif in_web_app(path):
        # The web app's pages run only their own packaged scripts and post only to synth.
        headers["content-security-policy"] = APP_CSP
    return headers


class SecurityHeaders:
    """ASGI middleware: add `security_headers` to every response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(k.encode(), v.encode()) for k, v in security_headers(scope["path"]).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(header for header in extra if header[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class FailedAuthThrottle:
    """Per client IP, a token bucket of failed API keys: `limit` at once, refilled evenly
    over `window_s`; an empty bucket answers 429 before the key is even looked up.

    Successful requests never take a token. Counts live in this process: behind several
    server processes each keeps its own, so a client may try `limit` x processes keys.
    """

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.limit = limit
        self.rate = limit / window_s
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        tokens, at = self._buckets.get(client, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - at) * self.rate)

    def check(self, client: str) -> None:
        """TooManyRequests if `client` has no failed attempt left right now."""
        with self._lock:
            tokens = self._tokens(client, self.clock())
        if tokens < 1:
            raise TooManyRequests(
                "too many failed API keys from this address; wait before trying again",
                code="too_many_failed_attempts",
                retry_after_s=math.ceil((1 - tokens) / self.rate),
            )

    def failed(self, client: str) -> None:
        """Take one token from `client`'s bucket."""
        with self._lock:
            now = self.clock()
            self._buckets[client] = (self._tokens(client, now) - 1, now)
            if len(self._buckets) > self.max_clients:
                self._forget_refilled(now)

    def _forget_refilled(self, now: float) -> None:
        # Bounded memory: a full bucket is the same as no bucket; if every client is
        # still counting, forget the oldest half rather than grow without limit.
        self._buckets = {
            c: (t, at) for c, (t, at) in self._buckets.items() if self._tokens(c, now) < self.limit
        }
        if len(self._buckets) > self.max_clients:
            stale = sorted(self._buckets, key=lambda c: self._buckets[c][1])
            for client in stale[: len(stale) // 2]:
                del self._buckets[client]
