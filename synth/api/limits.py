"""Reject request bodies over the configured size before anything reads them whole."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synth.errors import SynthError


class PayloadTooLarge(SynthError):
    code = "payload_too_large"
    status = 413


class BodySizeLimit:
    """ASGI middleware: 413 for a declared or streamed body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        message = f"request body over the {limit}-byte limit"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _reject(send, message)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(message)
            return msg

        await self.app(scope, counted, send)


async def _reject(send: Send, message: str) -> None:
    import json

    body = json.dumps({"code": PayloadTooLarge.code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
