"""Embedders: the packaged MiniLM offline, and hosted models through litellm's wire format."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.themes.embedders import Combiner, EmbeddingFailed, LiteLLMEmbedder
from synth.themes.ingest import ingest
from synth.themes.models import Statement, StatementEmbedding
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
    assert "ledger race" in sent and "Alex fixed" in sent and "ask Alex or email how" in sent
    for part in ("Eli", "Engineer", "Tara", "eli@example.org"):
        assert part not in sent, part


def test_who_the_feedback_is_about_does_not_move_its_vector(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    """The same feedback about Dana (she) and about Daniel (he) embeds alike: names become
    one neutral name and gendered pronouns "they", before the packaged model too."""
    o = f.org(db)
    dana = f.person(db, "Dana Whitfield", manager=o.manager)
    daniel = f.person(db, "Daniel Okoro", manager=o.manager)
    texts = {
        dana: "Dana's retry design doc was superb; I told her so, and her rollout was calm.",
        daniel: "Daniel's retry design doc was superb; I told him so, and his rollout was calm.",
    }
    for subject, written in texts.items():
        f.feedback(db, o.teammate, subject, o.period, written)
    db.commit()
    ingest(sessions, minilm())
    vectors = [
        db.scalars(
            select(StatementEmbedding.embedding)
            .join(Statement, Statement.id == StatementEmbedding.statement_id)
            .where(Statement.subject_id == subject.id)
            .order_by(Statement.position)
        ).all()
        for subject in texts
    ]
    assert len(vectors[0]) == len(vectors[1]) >= 1
    for a, b in zip(*vectors, strict=True):
        assert np.allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def _barrier_encode(
    calls: list[list[str]], first_in: threading.Event, release: threading.Event
) -> Any:
    """An encode that records each batch and holds the first one until `release`."""

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        if len(calls) == 1:
            first_in.set()
            release.wait(10)
        if "boom" in texts:
            raise EmbeddingFailed("the model fell over")
        return np.array([[float(len(t)), 0.0] for t in texts], dtype=np.float32)

    return encode


def _run_while_first_call_encodes(
    combiner: Combiner,
    first_in: threading.Event,
    release: threading.Event,
    batches: list[list[str]],
) -> list[Any]:
    """Call `combiner` with batches[0], then the rest from threads once it is encoding."""
    results: list[Any] = [None] * len(batches)

    def call(i: int) -> None:
        try:
            results[i] = combiner(batches[i])
        except EmbeddingFailed as exc:
            results[i] = exc

    first = threading.Thread(target=call, args=(0,))
    first.start()
    assert first_in.wait(10)
    rest = [threading.Thread(target=call, args=(i,)) for i in range(1, len(batches))]
    for t in rest:
        t.start()
    deadline = 0
    while len(combiner._waiting) < len(rest) and deadline < 1000:  # all queued behind the first
        threading.Event().wait(0.01)
        deadline += 1
    release.set()
    for t in [first, *rest]:
        t.join(10)
    return results


def test_calls_that_arrive_while_the_model_is_busy_are_encoded_together_each_getting_its_own() -> (
    None
):
    calls: list[list[str]] = []
    first_in, release = threading.Event(), threading.Event()
    combiner = Combiner(_barrier_encode(calls, first_in, release))
    batches = [["a"], ["bb", "ccc"], ["dddd"], ["eeeee", "ffffff"]]
    results = _run_while_first_call_encodes(combiner, first_in, release, batches)
    assert len(calls) == 2 and calls[0] == ["a"]
    assert sorted(calls[1]) == ["bb", "ccc", "dddd", "eeeee", "ffffff"]  # one batch, not three
    for texts, vectors in zip(batches, results, strict=True):
        assert vectors[:, 0].tolist() == [float(len(t)) for t in texts]
    assert combiner(["x"])[:, 0].tolist() == [1.0] and len(calls) == 3  # idle: runs at once


def test_a_failed_batch_fails_every_caller_in_it_and_the_next_call_still_works() -> None:
    calls: list[list[str]] = []
    first_in, release = threading.Event(), threading.Event()
    combiner = Combiner(_barrier_encode(calls, first_in, release))
    results = _run_while_first_call_encodes(
        combiner, first_in, release, [["ok"], ["boom"], ["fine"]]
    )
    assert results[0][:, 0].tolist() == [2.0]
    assert all(isinstance(r, EmbeddingFailed) for r in results[1:])
    assert combiner(["again"])[:, 0].tolist() == [5.0]


def test_minilm_gives_the_same_vectors_alone_or_batched_with_other_threads() -> None:
    embedder = minilm()
    texts = [f"She fixed the flaky {thing} test before the release." for thing in range(12)]
    alone = {i: embedder.embed(texts[i : i + 3]) for i in range(0, 12, 3)}
    together: dict[int, np.ndarray] = {}
    threads = [
        threading.Thread(target=lambda i=i: together.update({i: embedder.embed(texts[i : i + 3])}))
        for i in alone
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together.keys() == alone.keys()
    for i, vectors in alone.items():
        assert np.allclose(together[i], vectors, atol=1e-5)
