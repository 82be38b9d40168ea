"""Embedders: the packaged MiniLM offline, and hosted models through litellm's wire format."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from synth.themes.embedders import EmbeddingFailed, LiteLLMEmbedder
from synth.themes.ingest import ingest
from tests import factories as f
from tests.embedders import minilm


def test_minilm_gives_unit_vectors_that_follow_meaning() -> None:
    vectors = minilm().embed(
        [
            "Her code reviews catch real bugs.",
            "She reviews pull requests carefully and finds defects.",
            "The cafeteria serves lunch at noon.",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_minilm_handles_emoji_and_other_languages() -> None:
    vectors = minilm().embed(["🙌🙌", "Ótima colega, sempre disposta a ajudar.", ""])
    assert vectors.shape == (3, 384) and np.isfinite(vectors).all()


class _Provider(BaseHTTPRequestHandler):
    """An OpenAI-compatible /embeddings endpoint on loopback."""

    fail_with: int | None = None
    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "body": body, "auth": self.headers["Authorization"]}
        )
        status = type(self).fail_with
        if status:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "overloaded", "type": "server_error"}}')
            return
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0, 2.0]}
            for i, t in enumerate(body["input"])
        ]
        payload = {
            "object": "list",
            "data": list(reversed(data)),  # providers may answer out of order
            "model": body["model"],
            "usage": {"prompt_tokens": 3, "total_tokens": 3},
        }
        raw = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    _Provider.fail_with = None
    _Provider.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_hosted_model_through_litellm(provider: str) -> None:
    embedder = LiteLLMEmbedder("openai/text-embedding-3-small", api_base=provider, batch_size=2)
    vectors = embedder.embed(["a", "bbb", "cc"])
    assert vectors.shape == (3, 4) and embedder.dim == 4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[1][0] > vectors[2][0] > vectors[0][0]  # order restored by index
    assert [r["body"]["input"] for r in _Provider.requests] == [["a", "bbb"], ["cc"]]
    assert _Provider.requests[0]["path"].endswith("/embeddings")


def test_a_provider_error_becomes_embedding_failed(provider: str) -> None:
    _Provider.fail_with = 400
    embedder = LiteLLMEmbedder("openai/text-embedding-3-small", api_base=provider)
    with pytest.raises(EmbeddingFailed) as failed:
        embedder.embed(["a"])
    assert failed.value.code == "embedding_failed"
    assert "text-embedding-3-small" in failed.value.message


def test_a_hosted_embedder_never_receives_names_or_emails(
    provider: str, db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    f.feedback(
        db,
        o.teammate,
        o.engineer,
        o.period,
        "Eli Engineer fixed the ledger race; ask Tara or eli@example.org how. Eli's docs help.",
    )
    db.commit()
    embedder = LiteLLMEmbedder("openai/text-embedding-3-small", api_base=provider)
    assert ingest(sessions, embedder).embedded >= 1
    sent = " ".join(t for r in _Provider.requests for t in r["body"]["input"])
    assert "ledger race" in sent and "[NAME_" in sent and "[EMAIL_" in sent
    for part in ("Eli", "Engineer", "Tara", "eli@example.org"):
        assert part not in sent, part
