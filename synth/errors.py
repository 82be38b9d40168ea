"""One error base for the whole service; the API turns it into JSON with a stable code."""

from typing import Any


class SynthError(Exception):
    """A failure the caller can act on: a stable `code`, an HTTP status and a message."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body

    def headers(self) -> dict[str, str]:
        """HTTP headers that belong with this error (none unless a subclass says so)."""
        return {}


class InvalidInput(SynthError):
    """The request is well-formed but its content breaks a rule."""

    code = "invalid_input"
    status = 422


class NotFound(SynthError):
    """The resource does not exist or the caller may not see it (we do not tell which)."""

    code = "not_found"
    status = 404


class Unauthorized(SynthError):
    """No valid credentials."""

    code = "unauthorized"
    status = 401

    def headers(self) -> dict[str, str]:
        # RFC 6750: name the scheme on every 401; "invalid_token" only when one was sent.
        challenge = 'Bearer realm="synth"'
        if self.code != "missing_api_key":
            challenge += ', error="invalid_token"'
        return {"WWW-Authenticate": challenge}


class Forbidden(SynthError):
    """Valid credentials, but this principal may not do this."""

    code = "forbidden"
    status = 403


class Conflict(SynthError):
    """The request clashes with the current state (duplicate, locked, wrong phase)."""

    code = "conflict"
    status = 409


class ConfigurationError(SynthError):
    """synth itself is misconfigured (database unreachable, bad settings)."""

    code = "configuration_error"
    status = 500


class RetryLater(SynthError):
    """A refusal that will pass if the caller waits: carries a Retry-After in seconds."""

    def __init__(
        self, message: str, *, retry_after_s: int, details: Any = None, code: str | None = None
    ) -> None:
        super().__init__(message, details=details, code=code)
        self.retry_after_s = max(1, retry_after_s)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class TooManyRequests(RetryLater):
    """This client has asked too often (e.g. too many failed API keys)."""

    code = "too_many_requests"
    status = 429


class Unavailable(RetryLater):
    """synth cannot serve the request right now (database down, overloaded)."""

    code = "unavailable"
    status = 503
