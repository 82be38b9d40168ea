"""Splitting feedback into statements: verbatim spans, sentence and clause level."""

import pytest

from synth.themes.statements import MAX_STATEMENT_CHARS, split_statements

CASES = {
    "sentences": (
        "Great code reviews on the ledger PR. She caught two bugs before release!",
        ["Great code reviews on the ledger PR.", "She caught two bugs before release!"],
    ),
    "abbreviations": (
        "Owns tooling, e.g. the deploy bot. Also mentors juniors.",
        ["Owns tooling, e.g. the deploy bot.", "Also mentors juniors."],
    ),
    "mixed sentence split into clauses": (
        "Her design docs are clear and thorough, but she often flags delays too late.",
        ["Her design docs are clear and thorough", "but she often flags delays too late."],
    ),
    "short clause kept whole": ("Fast but careful.", ["Fast but careful."]),
    "semicolon keeps related clauses together": (
        "He runs a calm incident bridge; the postmortems he writes are excellent.",
        ["He runs a calm incident bridge; the postmortems he writes are excellent."],
    ),
    "bullets": (
        "Strengths:\n- Mentored Amara during onboarding\n* Owns the on-call runbook 🙌",
        ["Strengths:", "Mentored Amara during onboarding", "Owns the on-call runbook 🙌"],
    ),
    "non-English": (
        "Ótima colega, sempre disposta a ajudar. 说明文档写得很清楚。",
        ["Ótima colega, sempre disposta a ajudar.", "说明文档写得很清楚。"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_statements_are_verbatim_spans(name: str) -> None:
    source, expected = CASES[name]
    spans = split_statements(source)
    assert [s.text for s in spans] == expected
    for span in spans:
        assert source[span.start : span.end] == span.text


@pytest.mark.parametrize("source", ["", "   ", "\n\n", "...", "🙌"])
def test_nothing_to_say_gives_no_statements(source: str) -> None:
    assert split_statements(source) == []


def test_a_huge_run_without_punctuation_is_cut_into_bounded_pieces() -> None:
    source = "word " * 2_000
    spans = split_statements(source)
    assert len(spans) > 1
    assert all(len(s.text) <= MAX_STATEMENT_CHARS for s in spans)
    assert all(source[s.start : s.end] == s.text for s in spans)
