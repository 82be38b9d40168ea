"""The OpenAPI document tells the truth about every route, and its docs pages work offline.

Every operation has a readable id, a summary someone wrote, the bearer scheme when it needs a
key, and the errors it can answer documented in the one shape the API sends. /docs and /redoc
load nothing from outside the server.
"""

import json
import re
import uuid
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from sqlalchemy.orm import Session

from synth.api.errors import ErrorBody
from synth.auth.models import Role
from tests import factories as f

Spec = dict[str, Any]
Operation = tuple[str, str, dict[str, Any]]  # path, method, operation
UNAUTHENTICATED = {"/healthz"}
DOCS_PAGES = ("/docs", "/redoc")


class _AnyText:
    """Equal to any non-empty string (for comparing documents with prose in them)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other.strip())

    def __hash__(self) -> int:
        return 0


ANY_TEXT: Any = _AnyText()


ASSET_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


@pytest.fixture
def spec(client: TestClient) -> Spec:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: Spec = response.json()
    return document


def operations(spec: Spec) -> list[Operation]:
    return [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def v1_operations(spec: Spec) -> list[Operation]:
    found = [op for op in operations(spec) if op[0].startswith("/v1/")]
    assert len(found) > 40, "the /v1 routes are missing from the document"
    return found


def error_ref(response: dict[str, Any]) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref: str | None = schema.get("$ref")
    return ref


def test_the_document_is_valid_openapi(spec: Spec) -> None:
    validate(spec)


def test_operation_ids_are_the_route_function_names(spec: Spec) -> None:
    ids = [operation.get("operationId") for _, _, operation in operations(spec)]
    assert all(isinstance(i, str) and re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    assert {"list_people", "get_person", "request_draft", "healthz"} <= set(ids)


def test_every_operation_has_a_summary_someone_wrote(spec: Spec) -> None:
    for path, method, operation in operations(spec):
        generated = operation["operationId"].replace("_", " ").title()
        summary = operation.get("summary", "")
        assert summary and summary != generated, (
            f"{method.upper()} {path}: give the route function a docstring (its first "
            "paragraph is the summary) or a summary="
        )
        assert len(summary) <= 120, f"{method.upper()} {path}: summary too long: {summary!r}"


def test_every_v1_operation_needs_the_bearer_key(spec: Spec) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {"APIKey": {"type": "http", "scheme": "bearer", "description": ANY_TEXT}}
    for path, method, operation in v1_operations(spec):
        assert operation.get("security") == [{"APIKey": []}], f"{method.upper()} {path}"
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in names, f"{method.upper()} {path}: the scheme says it"


def test_health_and_docs_need_no_key(client: TestClient, spec: Spec) -> None:
    assert "security" not in spec
    for path in UNAUTHENTICATED:
        for operation in spec["paths"][path].values():
            assert "security" not in operation
            assert "401" not in operation["responses"]
    for path in ("/healthz", "/openapi.json", *DOCS_PAGES):
        assert client.get(path).status_code == 200, path


def test_every_error_response_has_the_error_shape(spec: Spec) -> None:
    schema = spec["components"]["schemas"]["ErrorBody"]
    assert set(schema["required"]) == {"code", "message"}
    assert set(schema["properties"]) == {"code", "message", "details"}
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if int(status) < 400 or path in UNAUTHENTICATED:
                continue
            assert error_ref(response) == "#/components/schemas/ErrorBody", (
                f"{method.upper()} {path} {status}"
            )
            assert response.get("description"), f"{method.upper()} {path} {status}"


def test_fastapi_validation_error_shape_is_gone(spec: Spec) -> None:
    text = json.dumps(spec)
    assert "HTTPValidationError" not in text
    assert "ValidationError" not in spec["components"]["schemas"]


def test_operations_document_what_every_request_can_meet(spec: Spec) -> None:
    for path, method, operation in v1_operations(spec):
        where = f"{method.upper()} {path}"
        statuses = set(operation["responses"])
        # Authentication (and its throttle), and the concurrency limit or a database down.
        assert {"401", "429", "503"} <= statuses, where
        assert "Retry-After" in operation["responses"]["503"]["headers"], where
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], where
        if "{" in path:
            assert "404" in statuses, where
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= statuses, where


@pytest.mark.parametrize(
    ("operation_id", "statuses"),
    [
        ("create_person", {"403", "409", "422"}),
        ("transition_period", {"403", "404", "409", "422"}),
        ("update_expectation", {"403", "404", "409"}),
        ("release_draft", {"403", "404", "409"}),
        ("search", {"404", "422"}),
        ("list_keys", {"403"}),
        ("load_ladder", {"403", "409", "422"}),
    ],
)
def test_routes_document_their_own_refusals(
    spec: Spec, operation_id: str, statuses: set[str]
) -> None:
    (operation,) = [op for _, _, op in operations(spec) if op["operationId"] == operation_id]
    assert statuses <= set(operation["responses"])


def test_a_route_without_parameters_documents_no_422(spec: Spec) -> None:
    (operation,) = [op for _, _, op in operations(spec) if op["operationId"] == "list_levels"]
    assert "422" not in operation["responses"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/v1/people/not-a-uuid", None, 422),
        ("GET", f"/v1/people/{uuid.UUID(int=0)}", None, 404),
        ("POST", "/v1/periods", b"{not json", 400),
        ("POST", "/v1/people", b"{}", 422),
    ],
)
def test_real_errors_match_the_documented_shape(
    client: TestClient, db: Session, method: str, path: str, body: bytes | None, status: int
) -> None:
    headers = {"Content-Type": "application/json", **f.bearer(db, Role.ADMIN)}
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == status, response.text
    ErrorBody.model_validate(response.json())
    assert set(response.json()) <= {"code", "message", "details"}


def test_a_missing_key_matches_the_documented_shape(client: TestClient) -> None:
    response = client.get("/v1/people")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    ErrorBody.model_validate(response.json())


# --------------------------------------------------------------------------- docs pages


class _Links(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href", "spec-url") and v]


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_docs_pages_load_only_local_assets(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, re.I), "a URL off this server"
    links = _Links()
    links.feed(html)
    assets = [u for u in links.urls if u != "/openapi.json"]
    assert any(u.endswith(".js") for u in assets), links.urls
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert asset.headers["content-type"].startswith(ASSET_TYPES[suffix]), url
        assert len(asset.content) > 1000, url


def test_docs_pages_are_not_operations(spec: Spec) -> None:
    assert not [p for p in spec["paths"] if p.startswith(("/docs", "/redoc", "/openapi"))]
