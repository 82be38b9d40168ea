"""Issue 12: per-statement polarity, whole-sentence quotes and the whole self-assessment."""

import uuid

import numpy as np

from synth.cycles.models import ExpectationKind
from synth.drafting.inputs import ExpectationInput, Quote
from synth.drafting.offline.evidence import expectation_evidence, own_account
from synth.drafting.offline.text import sentence_around
from synth.drafting.outputs import EvidenceStatus, SourceKind
from synth.themes.polarity import Polarity, statement_polarity
from synth.themes.stance import combined_polarity, direction, lean_polarity, meaning_polarity


def test_a_clause_is_quoted_with_the_rest_of_its_sentence() -> None:
    text = "Docs were clear. Updates came late, but the fix shipped on 3 May. Thanks!"
    start = text.index("but the fix")
    left, right = sentence_around(text, start, start + len("but the fix shipped on 3 May."))
    assert text[left:right] == "Updates came late, but the fix shipped on 3 May."


def test_meaning_applies_only_to_vectors_of_the_model_it_was_fitted_on() -> None:
    fitted = direction()
    vector = np.ones(len(fitted.weights), dtype=np.float32)
    assert meaning_polarity(vector, "some-other-model") is None
    assert meaning_polarity(vector[:10], fitted.model) is None
    assert -1.0 < (meaning_polarity(vector, fitted.model) or 0.0) < 1.0
    text = "She always explains her reviews clearly."
    assert combined_polarity(text, None, fitted.model) == statement_polarity(text)


def test_a_theme_leans_the_way_its_statements_weigh_and_is_mixed_only_when_they_cancel() -> None:
    assert lean_polarity([0.6, -0.2, 0.1]) is Polarity.STRENGTH
    assert lean_polarity([0.1, 0.1, -0.7]) is Polarity.GROWTH_AREA
    assert lean_polarity([0.3, -0.3]) is Polarity.MIXED
    assert lean_polarity([]) is Polarity.MIXED


def _self(text: str) -> Quote:
    return Quote(
        source_id=uuid.uuid4(),
        source_kind=SourceKind.SELF_ASSESSMENT,
        start=0,
        end=len(text),
        text=text,
    )


def test_an_expectation_status_uses_the_overall_self_assessment() -> None:
    expectation = ExpectationInput(
        id=uuid.uuid4(),
        position=1,
        title="Fix five crash clusters from the top-20 crash list",
        kind=ExpectationKind.GROWTH,
        key_steps_done=0,
        key_steps_total=0,
    )
    whole = _self(
        "Tipping took most of my time. The crash clusters work was not started this period."
    )
    account = own_account(expectation, whole)
    assert [c for _, c in account] == ["missed"]
    found = expectation_evidence(expectation, whole)
    assert found.status is EvidenceStatus.MISSED
    assert [c.quote for c in found.citations] == [account[0][0].text]
    # Without the overall self-assessment nothing speaks to it.
    assert expectation_evidence(expectation).status is EvidenceStatus.UNCLEAR
