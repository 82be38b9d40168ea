"""The OpenAPI contract, made true for every route, and the docs pages that render it offline.

Routes declare what is particular to them (`responses=errors(403, 409)`, a docstring); what
follows from how the API is built is added to every operation here, so a new router is
documented without anyone remembering to:
- the operationId is the route function's name, the summary its docstring's first paragraph;
- every route behind `get_principal` (it reads the `Authorization` header) uses the bearer
  scheme and can answer 401 and 429; every route but /healthz can answer 503 (the
  concurrency limit, a database that is down);
- a path parameter means 404; a body means 400, 413 and 422; a path or query parameter that
  can be malformed means 422; an Idempotency-Key means 409 (in use) and 422 (reused);
- every error response has the one shape the API answers (`ErrorBody`); FastAPI's
  `HTTPValidationError`, which the API never sends, is gone.
"""

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from synth.api.errors import ErrorBody
from synth.api.limits import UNLIMITED_PATHS

SECURITY_SCHEME = "APIKey"
ERROR_SCHEMA = "ErrorBody"
# Swagger UI 5 and ReDoc 2 bundles, shipped by the fastapi-offline wheel (pinned in
# pyproject.toml): served by the API itself, so the docs work with no network.
ASSETS_PACKAGE = ("fastapi_offline", "static")
ASSETS_URL = "/docs/assets"
SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON = (
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "redoc.standalone.js",
    "favicon.png",
)

Responses = dict[int | str, dict[str, Any]]

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "required": True,
        "schema": {"type": "integer"},
    }
}
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'The scheme to use: `Bearer realm="synth"`',
        "required": True,
        "schema": {"type": "string"},
    }
}
ERROR_DOCS: dict[int, str] = {
    400: "`malformed_json`: the body is not valid JSON",
    401: (
        "`missing_api_key`, `invalid_api_key`, `revoked_api_key` or `expired_api_key`: "
        "send `Authorization: Bearer <api key>`"
    ),
    403: "`forbidden`: this role, or this person, may not do this",
    404: (
        "`*_not_found`: no such record, or one the caller may not see (the API does not say which)"
    ),
    409: (
        "The request clashes with what is stored: `duplicate_*`, `expectation_locked`, "
        "`period_not_open`, `invalid_transition`, `guard_blocked`, an Idempotency-Key still in "
        "use (`idempotency_key_busy`), ..."
    ),
    413: "`payload_too_large`: the body is over the configured limit",
    422: (
        "`invalid_request`: the request does not match this schema (per-field `details`); or "
        "a rule it breaks, with its own code (`unknown_person`, `idempotency_key_reused`, ...)"
    ),
    429: "`too_many_failed_attempts`: too many bad API keys from this address",
    503: (
        "`overloaded` or `database_unavailable`: retry after Retry-After seconds (a POST "
        "with the same Idempotency-Key)"
    ),
}
_ERROR_HEADERS = {401: _WWW_AUTHENTICATE, 429: _RETRY_AFTER, 503: _RETRY_AFTER}


def operation_id(route: APIRoute) -> str:
    """A route's operationId: its function's name (unique, and what client generators show)."""
    return route.name


def errors(*statuses: int) -> Responses:
    """`responses=` for a route decorator: these error statuses, in the API's error shape."""
    return {status: {"model": ErrorBody, "description": ERROR_DOCS[status]} for status in statuses}


def install(app: FastAPI) -> None:
    """Complete `app`'s OpenAPI document and serve /docs and /redoc from local assets.

    The app must be built with `docs_url=None, redoc_url=None` (FastAPI's pages load their
    scripts from a CDN) and `generate_unique_id_function=operation_id`.
    """
    generate = app.openapi
    completed: list[dict[str, Any]] = []  # the last document completed (FastAPI caches it)

    def openapi() -> dict[str, Any]:
        spec = generate()
        if not any(spec is done for done in completed):
            complete(spec)
            completed[:] = [spec]
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
    _add_docs_pages(app)


def complete(spec: dict[str, Any]) -> None:
    """Add what every operation of `spec` implies (see the module docstring), in place."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `synth keys create --role ROLE`, or POST /v1/keys",
    }
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            _complete_operation(path, operation)
    schemas.pop("HTTPValidationError", None)
    if '"#/components/schemas/ValidationError"' not in json.dumps(spec):
        schemas.pop("ValidationError", None)


def _complete_operation(path: str, operation: dict[str, Any]) -> None:
    _summarise(operation)
    parameters: list[dict[str, Any]] = operation.get("parameters", [])
    located = {(p["in"], p["name"].lower()) for p in parameters}
    authenticated = ("header", "authorization") in located
    idempotent = ("header", "idempotency-key") in located
    has_body = "requestBody" in operation
    statuses: set[int] = set()
    if path not in UNLIMITED_PATHS:
        statuses.add(503)
    if authenticated:
        statuses |= {401, 429}
        operation["security"] = [{SECURITY_SCHEME: []}]
        # The security scheme says it; Swagger UI ignores an Authorization parameter anyway.
        parameters = [p for p in parameters if p["name"].lower() != "authorization"]
    if any(where == "path" for where, _ in located):
        statuses.add(404)
    if has_body:
        statuses |= {400, 413, 422}
    if idempotent:
        statuses |= {409, 422}
    if any(p["in"] in ("path", "query") and _can_be_invalid(p) for p in parameters):
        statuses.add(422)
    if parameters:
        operation["parameters"] = parameters
    else:
        operation.pop("parameters", None)

    responses: dict[str, Any] = operation.setdefault("responses", {})
    validation = responses.get("422")
    if validation is not None and "HTTPValidationError" in json.dumps(validation):
        # FastAPI's own 422, added for any parameter: kept only where one can be invalid.
        del responses["422"]
    for status in statuses:
        responses.setdefault(str(status), {"description": ERROR_DOCS[status]})
    for key, response in responses.items():
        status = int(key) if key.isdigit() else 0
        if status < 400:
            continue
        response.setdefault("content", _error_content())
        if status in _ERROR_HEADERS:
            response.setdefault("headers", _ERROR_HEADERS[status])
    operation["responses"] = dict(sorted(responses.items()))


def _can_be_invalid(parameter: dict[str, Any]) -> bool:
    """False for a parameter any string satisfies (FastAPI cannot refuse it)."""
    schema = parameter.get("schema", {})
    kinds = schema.get("anyOf", [schema])
    plain = [{k: v for k, v in kind.items() if k not in ("title", "description")} for kind in kinds]
    return not all(kind in ({"type": "string"}, {"type": "null"}) for kind in plain)


def _summarise(operation: dict[str, Any]) -> None:
    """Summary from the docstring's first paragraph where the route gave none."""
    generated = operation.get("operationId", "").replace("_", " ").title()
    description = operation.get("description", "")
    if operation.get("summary") not in (None, generated) or not description:
        return
    first, _, rest = description.strip().partition("\n\n")
    # A summary is plain text (docs pages show it as is): no Markdown code marks.
    operation["summary"] = " ".join(first.split()).rstrip(".").replace("`", "")
    if rest.strip():
        operation["description"] = rest.strip()
    else:
        del operation["description"]


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}


def _add_docs_pages(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")

    def asset(request: Request, name: str) -> str:
        return f"{request.scope.get('root_path', '')}{ASSETS_URL}/{name}"

    def spec_url(request: Request) -> str:
        return f"{request.scope.get('root_path', '')}{app.openapi_url}"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=spec_url(request),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=asset(request, SWAGGER_JS),
            swagger_css_url=asset(request, SWAGGER_CSS),
            swagger_favicon_url=asset(request, FAVICON),
            # No spec sent to the public validator: its badge would leave the machine.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=spec_url(request),
            title=f"{app.title} - ReDoc",
            redoc_js_url=asset(request, REDOC_JS),
            redoc_favicon_url=asset(request, FAVICON),
            with_google_fonts=False,
        )
