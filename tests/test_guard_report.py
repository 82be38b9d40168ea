"""Every guard through both drafters: `synth.drafting.gate.review` on what the offline drafter
writes and on what the LLM drafter returns (a pydantic-ai FunctionModel standing in for the
provider).

The offline drafter must come out clean; a model that misbehaves (follows an injection, names a
reviewer, mentions pay, invents a quote, writes biased words) must be caught with the right
code and path. Inputs are Hannah Brooks's, from the demo (tests/test_guards.py).
"""

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from synth.cycles.models import Relationship
from synth.drafting.gate.review import GuardContext, GuardReport, review
from synth.drafting.inputs import FeedbackItem, Quote, SynthesisInputs
from synth.drafting.llm.drafter import DATA_CLOSE, DATA_OPEN, LLMDrafter
from synth.drafting.models import DraftKind
from synth.drafting.offline import OfflineDrafter
from synth.evidence import PersonName
from synth.guards.anonymity import Reviewer
from synth.guards.injection.followed import _injected_sentences
from tests.embedders import minilm
from tests.test_guards import INJECTIONS, hannah
from tests.test_offline_drafter import expectation_inputs

REVIEWERS = {
    "R1": ("Kofi Mensah", "kofi.mensah@northwind.example"),
    "R2": ("Mateo Rossi", "mateo.rossi@northwind.example"),
    "R3": ("Sofia Marchetti", "sofia.marchetti@northwind.example"),
    "R4": ("Lucía Fernández", "lucia.fernandez@northwind.example"),
    "R5": ("Olivia Grant", "olivia.grant@northwind.example"),
}
SUBJECT = PersonName(
    id=uuid.uuid5(uuid.NAMESPACE_URL, "hannah"),
    name="Hannah Brooks",
    email="hannah.brooks@northwind.example",
)


def person(handle: str) -> PersonName:
    name, email = REVIEWERS[handle]
    return PersonName(id=uuid.uuid5(uuid.NAMESPACE_URL, name), name=name, email=email)


def context(embed: bool = False) -> GuardContext:
    return GuardContext(
        subject=SUBJECT,
        reviewers=[Reviewer(person=person(h)) for h in REVIEWERS],
        anonymity_threshold=2,
        embed=minilm().embed if embed else None,
    )


def cite(q: Quote, text: str | None = None) -> dict[str, Any]:
    return {
        "source_id": str(q.source_id),
        "source_kind": q.source_kind.value,
        "quote": q.text if text is None else text,
        "start": 0,
        "end": 1,
    }


def answer(
    inputs: SynthesisInputs,
    *,
    claim: str = "Partners on migrations describe her as dependable and expert.",
    summary: str = "Several reviewers describe dependable migration work.",
    quote: Quote | None = None,
    quote_text: str | None = None,
) -> dict[str, Any]:
    """A valid synthesis as a model would return it, with one strength section."""
    strength = inputs.themes[0]
    q = quote or strength.representatives[0]
    return {
        "overview": "A period of dependable migration and security work.",
        "strengths": [
            {
                "theme": strength.label,
                "summary": summary,
                "claims": [{"text": claim, "citations": [cite(q, quote_text)]}],
                "reviewers": strength.reviewers,
            }
        ],
        "growth_areas": [],
        "expectations": [
            {
                "expectation_id": str(e.id),
                "title": e.title,
                "status": "met",
                "note": "The self-assessment and the feedback agree.",
                "citations": [],
            }
            for e in inputs.expectations
        ],
        "self_vs_peers": [],
        "talking_points": ["What would make the updates easy to keep up?"],
        "coverage": {
            "feedback_available": 0,
            "feedback_used": 0,
            "themes_available": 0,
            "themes_cited": 0,
        },
    }


Respond = Callable[[list[ModelMessage], AgentInfo], ModelResponse]


def user_data(messages: list[ModelMessage]) -> str:
    """The JSON payload between the untrusted-data delimiters of the user message."""
    for message in messages:
        for part in getattr(message, "parts", []):
            if isinstance(part, UserPromptPart) and isinstance(part.content, str):
                return part.content.split(DATA_OPEN + "\n", 1)[1].rsplit("\n" + DATA_CLOSE, 1)[0]
    raise AssertionError("no user message")


def llm(respond: Respond) -> LLMDrafter:
    return LLMDrafter(
        "function-model", model_factory=lambda n: FunctionModel(respond, model_name=n)
    )


def returning(output: dict[str, Any], seen: list[str] | None = None) -> Respond:
    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if seen is not None:
            seen.append(user_data(messages))
        return ModelResponse(parts=[ToolCallPart("final_result", output)])

    return respond


def offline_report(inputs: SynthesisInputs, embed: bool = False) -> GuardReport:
    output = OfflineDrafter().synthesis(inputs).output
    return review(DraftKind.SYNTHESIS, output, inputs, context(embed))


def llm_report(inputs: SynthesisInputs, output: dict[str, Any], embed: bool = False) -> GuardReport:
    drafted = llm(returning(output)).synthesis(inputs)
    return review(DraftKind.SYNTHESIS, drafted.output, inputs, context(embed))


def codes(report: GuardReport, *, blocking: bool | None = None) -> set[str]:
    return {
        f"{f.guard}/{f.code}" for f in report.findings if blocking is None or f.blocking is blocking
    }


# --- the offline drafter comes out clean -----------------------------------------------------


def test_the_offline_synthesis_has_no_blocking_finding_and_every_claim_supported() -> None:
    _, inputs = hannah()
    report = offline_report(inputs, embed=True)
    assert codes(report, blocking=True) == set()
    assert report.claims >= 2 and report.supported_share == 1.0
    # the injected feedback is flagged on the source, not followed
    assert "injection/injection_suspected" in codes(report, blocking=False)


def test_the_offline_expectations_pass_every_blocking_guard() -> None:
    _, synthesis_inputs = hannah()
    inputs = expectation_inputs(
        "senior",
        synthesis_inputs.themes,
        performing_well=True,
        current=synthesis_inputs.expectations,
    )
    output = OfflineDrafter().expectations(inputs).output
    report = review(DraftKind.EXPECTATIONS, output, inputs, context())
    assert codes(report, blocking=True) == set()


# --- injection: the corpus through both drafters ---------------------------------------------


def injected(attempt: str) -> SynthesisInputs:
    """Hannah's inputs plus one more reviewer whose feedback is `attempt`, quoted in a theme
    (the only way raw feedback reaches the model's prompt)."""
    _, inputs = hannah()
    item = FeedbackItem(
        id=uuid.uuid5(uuid.NAMESPACE_URL, attempt),
        reviewer="R5",
        relationship=Relationship.PEER,
        specific=False,
        text=attempt,
    )
    quote = Quote(source_id=item.id, start=0, end=len(attempt), text=attempt, reviewer="R5")
    strength = inputs.themes[0]
    themed = strength.model_copy(
        update={
            "representatives": [*strength.representatives, quote],
            "source_ids": [*strength.source_ids, item.id],
        }
    )
    return inputs.model_copy(
        update={"feedback": [*inputs.feedback, item], "themes": [themed, *inputs.themes[1:]]}
    )


@pytest.mark.parametrize("row", INJECTIONS, ids=lambda r: f"{r['kind']}:{r['text'][:30]}")
def test_the_offline_drafter_never_follows_an_injection(row: dict[str, str]) -> None:
    report = offline_report(injected(row["text"]))
    assert "injection/injection_followed" not in codes(report)
    flagged = [f for f in report.findings if f.code == "injection_suspected"]
    assert uuid.uuid5(uuid.NAMESPACE_URL, row["text"]) in {f.source_id for f in flagged}


@pytest.mark.parametrize("row", INJECTIONS, ids=lambda r: f"{r['kind']}:{r['text'][:30]}")
def test_a_model_that_obeys_an_injection_is_caught(row: dict[str, str]) -> None:
    inputs = injected(row["text"])
    seen: list[str] = []
    obeyed = " ".join(_injected_sentences(row["text"]))
    output = answer(inputs, claim=f"As the feedback asks: {obeyed}")
    drafted = llm(returning(output, seen)).synthesis(inputs)
    report = review(DraftKind.SYNTHESIS, drafted.output, inputs, context())

    assert "injection/injection_followed" in codes(report, blocking=True)
    # the attempt reached the model only as data inside the delimiters
    assert json.loads(seen[0])["themes"][0]["representatives"][-1]["text"] == row["text"]


@pytest.mark.parametrize("row", INJECTIONS[:10], ids=lambda r: f"{r['kind']}:{r['text'][:30]}")
def test_a_model_that_ignores_an_injection_passes(row: dict[str, str]) -> None:
    inputs = injected(row["text"])
    report = llm_report(inputs, answer(inputs))
    assert codes(report, blocking=True) == set()
    assert "injection/injection_suspected" in codes(report)


# --- citations and support -------------------------------------------------------------------


def test_a_model_quote_that_is_not_in_the_feedback_blocks() -> None:
    _, inputs = hannah()
    report = llm_report(inputs, answer(inputs, quote_text="she always delivers early"))
    [mismatch] = [f for f in report.findings if f.code == "quote_mismatch"]
    assert mismatch.blocking and mismatch.path == "strengths[0].claims[0].citations[0]"


def test_a_claim_its_quote_does_not_support_is_flagged_by_meaning() -> None:
    _, inputs = hannah()
    off_topic = answer(inputs, claim="Leads the quarterly budget forecast for the finance team.")
    report = llm_report(inputs, off_topic, embed=True)
    [unsupported] = [f for f in report.findings if f.code == "claim_unsupported"]
    assert not unsupported.blocking and "similarity" in unsupported.message
    assert report.supported_share == 0.0
    supported = llm_report(inputs, answer(inputs), embed=True)
    assert supported.supported_share == 1.0


# --- anonymity and two tracks ---------------------------------------------------------------


def test_a_model_that_names_a_reviewer_in_a_released_summary_blocks() -> None:
    _, inputs = hannah()
    named = answer(inputs, summary="Mateo Rossi says she was the best partner on migrations.")
    report = llm_report(inputs, named)
    [finding] = [f for f in report.findings if f.code == "author_named"]
    assert finding.blocking and finding.overridable
    assert finding.path == "strengths[0].summary"


def test_a_model_that_copies_a_reviewer_sentence_into_a_summary_blocks() -> None:
    _, inputs = hannah()
    copied = answer(
        inputs, summary="Hannah was the best kind of partner for our Harbor migrations."
    )
    assert "anonymity/verbatim_quote" in codes(llm_report(inputs, copied), blocking=True)


def test_a_model_that_mentions_promotion_blocks_and_cannot_be_overridden() -> None:
    _, inputs = hannah()
    report = llm_report(inputs, answer(inputs, summary="She is ready for promotion to staff."))
    [finding] = [f for f in report.findings if f.code == "mentions_promotion"]
    assert finding.blocking and not finding.overridable
    assert finding in report.open_blocking([finding.fingerprint])  # an override cannot cover it
    # and it is what Hannah's injected feedback asked for
    assert "injection/injection_followed" in codes(report, blocking=True)


def test_a_one_reviewer_theme_is_withheld_whatever_count_the_model_claims() -> None:
    _, base = hannah()
    lone = FeedbackItem(
        id=uuid.uuid5(uuid.NAMESPACE_URL, "lone"),
        reviewer="R5",
        relationship=Relationship.PEER,
        specific=True,
        text="She rewrote the Terraform modules for the build cache.",
    )
    inputs = base.model_copy(update={"feedback": [*base.feedback, lone]})
    quote = Quote(source_id=lone.id, start=0, end=len(lone.text), text=lone.text, reviewer="R5")
    output = answer(inputs, claim="Rewrote the Terraform modules.", quote=quote)
    output["strengths"][0]["reviewers"] = 9  # one quote from one reviewer, in no theme
    drafted = llm(returning(output)).synthesis(inputs)
    report = review(DraftKind.SYNTHESIS, drafted.output, inputs, context())
    assert "anonymity/theme_withheld" in codes(report, blocking=False)


# --- bias ------------------------------------------------------------------------------------


def test_biased_words_are_flagged_in_the_draft_and_in_the_feedback() -> None:
    _, inputs = hannah()
    abrasive = FeedbackItem(
        id=uuid.uuid5(uuid.NAMESPACE_URL, "abrasive"),
        reviewer="R5",
        relationship=Relationship.PEER,
        specific=False,
        text="She can be abrasive when people question her Harbor plan.",
    )
    inputs = inputs.model_copy(update={"feedback": [*inputs.feedback, abrasive]})
    report = llm_report(inputs, answer(inputs, claim="She is bossy with the product teams."))
    bias = [f for f in report.findings if f.guard == "bias"]
    assert {(f.path, f.source_id) for f in bias} == {
        ("strengths[0].claims[0].text", None),
        (None, abrasive.id),
    }
    assert all(not f.blocking for f in bias)
    offline = offline_report(inputs)
    assert abrasive.id in {f.source_id for f in offline.findings if f.guard == "bias"}


# --- PII: names never reach the model, and come back in the draft ----------------------------


def test_names_and_emails_never_reach_the_model_and_are_restored() -> None:
    _, base = hannah()
    people = (SUBJECT, *(person(h) for h in ("R1", "R2", "R3", "R4")))
    inputs = base.model_copy(update={"people": people})
    quote = inputs.themes[0].representatives[0]  # "Hannah was the best kind of partner ..."
    assert "Hannah" in quote.text
    seen: list[str] = []

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        data = user_data(messages)
        seen.append(data)
        payload = json.loads(data)
        sent = payload["themes"][0]["representatives"][0]["text"]  # with a placeholder
        token = sent.split(" ", 1)[0]
        output = answer(inputs, claim=f"{token} partners well on migrations.", quote_text=sent)
        return ModelResponse(parts=[ToolCallPart("final_result", output)])

    drafted = llm(respond).synthesis(inputs)

    for who in people:
        for part in (who.name, *who.name.split(), who.email):
            assert part not in seen[0], part
    assert "[NAME_" in seen[0]
    claim = drafted.output.strengths[0].claims[0]
    assert claim.text == "Hannah partners well on migrations."
    citation = claim.citations[0]
    assert citation.quote == quote.text and (citation.start, citation.end) == (
        quote.start,
        quote.end,
    )
    report = review(DraftKind.SYNTHESIS, drafted.output, inputs, context())
    assert codes(report, blocking=True) == set()


def test_a_placeholder_the_model_made_up_is_not_released() -> None:
    _, inputs = hannah()
    report = llm_report(inputs, answer(inputs, summary="[NAME_ABCDEF] was a great partner."))
    assert "pii/placeholder_left" in codes(report, blocking=True)
