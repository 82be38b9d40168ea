"""The eval suite on the LLM drafter, over replayed provider traffic (`evals/record_llm_replay`).

Every request must carry the body today's prompts and inputs produce (UUIDs aside: each run
stores its records under fresh ids, and the recorded answers are given this run's ids), every
recorded exchange must be used, and the run must pass the gate against the baseline recorded
with it. A prompt edited without re-recording fails here."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from evals.record_llm_replay import API_BASE, BASELINE, CASES, CASSETTE, MODEL
from synth.config import get_settings
from synth.db import engine as db_engine
from synth.drafting.factory import get_drafter
from synth.evaluation.cases import load_cases
from synth.evaluation.suite import gate, load_baseline, run_suite
from tests.cassettes import SECRET_HEADERS, json_body_any_ids, remap_ids
from tests.embedders import minilm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def llm_configured(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SYNTH_LLM_API_BASE", API_BASE)
    monkeypatch.setenv("SYNTH_ALLOWED_MODELS", MODEL)
    monkeypatch.setenv("SYNTH_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("OPENAI_API_KEY", "replay-placeholder")
    get_settings.cache_clear()
    db_engine.get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    db_engine.get_engine.cache_clear()


@pytest.fixture
def replaying(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The cassette, strictly: method, URL and body (UUIDs aside); answers remapped to this
    run's ids."""
    import vcr
    from vcr.cassette import Cassette

    play = Cassette.play_response

    def play_remapped(self: Cassette, request: Any) -> Any:
        unplayed = (i for i, _ in self._responses(request) if self.play_counts[i] == 0)
        index = next(unplayed, None)
        response = play(self, request)  # the usual "cannot play back" error when none
        return response if index is None else remap_ids(response, request, self.data[index][0])

    monkeypatch.setattr(Cassette, "play_response", play_remapped)
    replayer = vcr.VCR(
        record_mode="none",
        filter_headers=SECRET_HEADERS,
        match_on=["method", "scheme", "host", "port", "path", "query", "json_body_any_ids"],
        decode_compressed_response=True,
    )
    replayer.register_matcher("json_body_any_ids", json_body_any_ids)
    with replayer.use_cassette(str(CASSETTE)) as cassette:
        yield cassette


def test_the_llm_drafter_replays_the_eval_subset_and_passes_its_gate(
    llm_configured: None, replaying: Any
) -> None:
    cases = load_cases(ROOT / "evals" / "cases", only=list(CASES))
    report = run_suite(cases, get_drafter(MODEL), minilm(), parity=False, progress=False)
    assert replaying.all_played and replaying.play_count == len(replaying.data)
    assert report.summary["drafts_failed"] == 0 and report.summary["cases_failed"] == 0
    assert report.models == [MODEL] and report.summary["input_tokens"] > 0
    assert report.summary["cost_usd"] > 0  # litellm's price for the recorded usage
    failures = gate(report, load_baseline(str(BASELINE)))
    assert not failures, failures


def test_the_recorded_requests_carry_placeholders_not_the_cases_names() -> None:
    cases = load_cases(ROOT / "evals" / "cases", only=list(CASES))
    bodies = [i["request"]["body"] for i in yaml.safe_load(CASSETTE.read_text())["interactions"]]
    assert len(bodies) == len(cases) * 2 + sum(c.talent_assessment is not None for c in cases)
    sent = "\n".join(bodies)
    for case in cases:
        for name in [case.subject.name, *(r.name for r in case.reviewers)]:
            for part in name.split():
                assert not re.search(rf"\b{re.escape(part)}\b", sent), part
    assert "[NAME_" in sent
    for body in bodies:
        assert "authorization" not in json.dumps(body).lower()


def test_a_changed_prompt_is_not_replayed_from_a_stale_cassette(
    llm_configured: None, replaying: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "synth.drafting.llm.drafter.DATA_NOTICE", "Draft from the JSON below, please."
    )
    (case,) = load_cases(ROOT / "evals" / "cases", only=[CASES[0]])
    report = run_suite([case], get_drafter(MODEL), minilm(), parity=False, progress=False)
    (result,) = report.results
    assert result.run is not None
    assert result.scores["drafts_failed"] == len(result.run.drafts)
    errors = [d.error or "" for d in result.run.drafts.values()]
    assert all("json_body_any_ids" in e for e in errors), errors
    assert replaying.play_count == 0


def test_bodies_match_whatever_their_ids_and_answers_get_this_runs_ids() -> None:
    class Request:
        def __init__(self, body: str) -> None:
            self.body = body.encode()

    a, b = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    c = "33333333-3333-4333-8333-333333333333"
    recorded = Request(json.dumps({"x": a, "y": [b, a]}))
    json_body_any_ids(Request(json.dumps({"y": [a, c], "x": c})), recorded)  # order kept
    with pytest.raises(AssertionError, match="json_body_any_ids"):
        json_body_any_ids(Request(json.dumps({"x": a, "y": [a, a]})), recorded)
    with pytest.raises(AssertionError, match="json_body_any_ids"):
        json_body_any_ids(Request(json.dumps({"x": a, "y": [b, a], "z": 1})), recorded)
    answer = {"body": {"string": json.dumps({"cite": b, "other": a})}}
    sent = Request(json.dumps({"x": c, "y": [a, c]}))
    remapped = json.loads(remap_ids(answer, sent, recorded)["body"]["string"])
    assert remapped == {"cite": a, "other": c}
