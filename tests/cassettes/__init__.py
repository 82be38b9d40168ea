"""Replaying provider cassettes strictly: a request must carry the body today's code sends.

`json_body` compares request bodies as JSON, so a prompt edited without re-recording fails
the replay instead of passing on a stale exchange. `json_body_any_ids` does the same with
every UUID replaced by its order of first appearance, for runs whose records get fresh ids
(the eval suite); `remap_ids` then gives the recorded answer the ids of this run, so its
citations point at this run's feedback.

Refreshing: with `SYNTH_REFRESH_CASSETTE_BODIES=1`, bodies are not matched and each replayed
request's body is written back into its cassette after the test (`refresh_bodies`). Use it
after a deliberate prompt change, read the diff, and commit it with the prompt.
"""

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

SECRET_HEADERS = ["authorization", "x-api-key", "cookie", "openai-organization", "openai-project"]
SECRET_RESPONSE_HEADERS = {"set-cookie", "openai-organization", "openai-project"}
SECRET_RESPONSE_HEADERS |= {"anthropic-organization-id"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
REFRESH = os.environ.get("SYNTH_REFRESH_CASSETTE_BODIES") == "1"


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keys, cookies and account ids never reach a cassette."""
    headers = response.get("headers", {})
    for name in [n for n in headers if n.lower() in SECRET_RESPONSE_HEADERS]:
        del headers[name]
    return response


def _text(body: Any) -> str:
    if body is None:
        return ""
    return body.decode() if isinstance(body, bytes) else str(body)


def _canonical(body: Any) -> str:
    text = _text(body)
    try:
        return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)
    except ValueError:
        return text


def ids_in_order(text: str) -> list[str]:
    """Each distinct UUID in `text`, in order of first appearance."""
    return list(dict.fromkeys(m.group(0).lower() for m in UUID.finditer(text)))


def _without_ids(text: str) -> str:
    order = {u: f"<id{i}>" for i, u in enumerate(ids_in_order(text))}
    return UUID.sub(lambda m: order[m.group(0).lower()], text)


def _explain(kind: str, sent: str, recorded: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(sent, recorded, strict=False)) if a != b), None)
    at = min(len(sent), len(recorded)) if at is None else at
    return (
        f"{kind}: the request body differs from the cassette's at character {at}: "
        f"sent ...{sent[max(0, at - 80) : at + 80]!r}... recorded "
        f"...{recorded[max(0, at - 80) : at + 80]!r}... (a prompt changed: refresh the "
        "cassette bodies, see tests/cassettes/__init__.py)"
    )


def json_body(sent: Any, recorded: Any) -> None:
    """vcrpy matcher: the bodies are the same JSON."""
    a, b = _canonical(sent.body), _canonical(recorded.body)
    if a != b:
        raise AssertionError(_explain("json_body", a, b))


def json_body_any_ids(sent: Any, recorded: Any) -> None:
    """vcrpy matcher: the same JSON once every UUID is replaced by its order of appearance."""
    a, b = _without_ids(_canonical(sent.body)), _without_ids(_canonical(recorded.body))
    if a != b:
        raise AssertionError(_explain("json_body_any_ids", a, b))


def remap_ids(response: dict[str, Any], sent: Any, recorded: Any) -> dict[str, Any]:
    """The recorded response with the recorded request's ids replaced by the sent one's (the
    two bodies match but for their ids, which appear in the same order)."""
    mapping = dict(
        zip(
            ids_in_order(_canonical(recorded.body)),
            ids_in_order(_canonical(sent.body)),
            strict=False,
        )
    )
    body = response.get("body", {})
    text = body.get("string")
    if not mapping or text is None:
        return response
    raw = text.decode() if isinstance(text, bytes) else text
    swapped = UUID.sub(lambda m: mapping.get(m.group(0).lower(), m.group(0)), raw)
    new_body = {**body, "string": swapped.encode() if isinstance(text, bytes) else swapped}
    return {**response, "body": new_body}


def refresh_bodies(cassette: Path, sent: list[Any]) -> None:
    """Write the bodies actually sent into `cassette`, interaction by interaction."""
    data = yaml.safe_load(cassette.read_text())
    interactions = data["interactions"]
    if len(interactions) != len(sent):
        raise AssertionError(
            f"{cassette.name}: {len(sent)} requests sent, {len(interactions)} recorded"
        )
    for interaction, request in zip(interactions, sent, strict=True):
        interaction["request"]["body"] = _text(request.body)
    cassette.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
