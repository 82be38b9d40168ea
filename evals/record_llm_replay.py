"""Record the cassette the LLM drafter's eval subset replays in CI.

    python -m evals.record_llm_replay

The eval suite runs a few cases through the real LLM drafter path (pydantic-ai agent, our
litellm adapter, litellm, the OpenAI SDK, HTTP) against an OpenAI-compatible endpoint on
loopback, and vcrpy records every exchange into `tests/cassettes/eval_replay/`. The endpoint
answers as a model would, from the request alone: it finds the drafter's inputs behind the
user message it was sent (registered when the drafter rendered them, names already replaced
by placeholders) and answers with the offline drafter's draft of them, as a tool call in
OpenAI's wire format. So the replayed drafts are not a model's prose, but everything between
the prompt and the stored draft is the path a hosted model takes: rendering and redaction,
the request, the parsing and validation, restoring names, locating quotes, every guard.

No network: the endpoint is 127.0.0.1. Replay (`tests/test_eval_replay.py`) matches each
request body against the recorded one, UUIDs aside, so a prompt or input change that is not
re-recorded fails CI. Re-record after such a change and commit the cassette and baseline.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from synth.drafting.inputs import (
    ChecklistInputs,
    DraftInputs,
    ExpectationInputs,
    KeyStepInputs,
    SynthesisInputs,
)
from synth.drafting.llm import drafter as llm_drafter
from synth.drafting.offline import OfflineDrafter

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "tests" / "cassettes" / "eval_replay" / "llm_subset.yaml"
BASELINE = ROOT / "tests" / "cassettes" / "eval_replay" / "baseline.json"
CASES = ("senior-defensive-in-review", "a-mid-data-injection", "c-em-search-first-year")
MODEL = "openai/gpt-4o-mini"
PORT = 18_999
API_BASE = f"http://127.0.0.1:{PORT}/v1"
SERVED_MODEL = "gpt-4o-mini-2024-07-18"

_rendered: dict[str, DraftInputs] = {}


def _draft(inputs: DraftInputs) -> dict[str, Any]:
    offline = OfflineDrafter()
    if isinstance(inputs, SynthesisInputs):
        output: Any = offline.synthesis(inputs).output
    elif isinstance(inputs, ExpectationInputs):
        output = offline.expectations(inputs).output
    else:
        assert isinstance(inputs, ChecklistInputs)
        output = offline.checklist(inputs).output
    data: dict[str, Any] = output.model_dump(mode="json")
    return data


class _Endpoint(BaseHTTPRequestHandler):
    """POST /v1/chat/completions: the offline draft of the inputs behind the user message."""

    calls = 0

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = next(m for m in body["messages"] if m["role"] == "user")
        content = user["content"]
        text = content if isinstance(content, str) else "".join(p["text"] for p in content)
        tool = body["tools"][0]["function"]["name"]
        type(self).calls += 1
        arguments = json.dumps(_draft(_rendered[text]), ensure_ascii=False)
        answer = {
            "id": f"chatcmpl-eval-{type(self).calls}",
            "object": "chat.completion",
            "created": 1_764_979_200,
            "model": SERVED_MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_eval_{type(self).calls}",
                                "type": "function",
                                "function": {"name": tool, "arguments": arguments},
                            }
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {
                "prompt_tokens": len(json.dumps(body)) // 4,
                "completion_tokens": len(arguments) // 4,
                "total_tokens": len(json.dumps(body)) // 4 + len(arguments) // 4,
            },
        }
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def endpoint() -> Iterator[None]:
    """The endpoint on loopback, with the drafter's rendered inputs registered for it."""
    render = llm_drafter.render_data

    def registering(inputs: llm_drafter.AnyInputs) -> str:
        text = render(inputs)
        if not isinstance(inputs, KeyStepInputs):  # the eval cases draft the three kinds only
            _rendered[text] = inputs
        return text

    llm_drafter.render_data = registering
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        llm_drafter.render_data = render


def main() -> None:
    import os

    import vcr

    from evals.benchdb import scratch_engine
    from synth.config import get_settings
    from synth.db import engine as db_engine
    from synth.drafting.factory import get_drafter
    from synth.evaluation.cases import load_cases
    from synth.evaluation.suite import baseline_json, run_suite
    from synth.themes.embedders import LocalEmbedder
    from tests.cassettes import SECRET_HEADERS, json_body_any_ids, scrub_response

    os.environ.update(
        SYNTH_LLM_API_BASE=API_BASE,
        SYNTH_ALLOWED_MODELS=MODEL,
        OPENAI_API_KEY="recording-placeholder",
        SYNTH_LLM_MAX_RETRIES="0",
    )
    cases = load_cases(ROOT / "evals" / "cases", only=list(CASES))
    CASSETTE.parent.mkdir(parents=True, exist_ok=True)
    CASSETTE.unlink(missing_ok=True)
    recorder = vcr.VCR(
        record_mode="all",
        filter_headers=SECRET_HEADERS,
        before_record_response=scrub_response,
        match_on=["method", "scheme", "host", "port", "path", "query"],
        decode_compressed_response=True,
    )
    recorder.register_matcher("json_body_any_ids", json_body_any_ids)
    with scratch_engine() as engine:
        os.environ["SYNTH_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
        get_settings.cache_clear()
        db_engine.get_engine.cache_clear()
        with endpoint(), recorder.use_cassette(str(CASSETTE)):
            report = run_suite(
                cases, get_drafter(MODEL), LocalEmbedder(), parity=False, progress=True
            )
    BASELINE.write_text(baseline_json(report), encoding="utf-8")
    print(f"{_Endpoint.calls} exchanges recorded in {CASSETTE.relative_to(ROOT)}")
    for name, value in report.summary.items():
        print(f"  {name:32} {value:.3f}")


if __name__ == "__main__":
    main()
