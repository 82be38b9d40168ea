"""The scores the eval suite reports, and how its gate holds each of them.

`METRICS` says which way is better for each score and where the gate sits: the floor a score
may never cross, and how far it may fall below the baseline run.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One reported score: its direction, the floor the gate holds it to, and how far it may
    fall below the baseline run before the gate fails."""

    name: str
    description: str
    higher_is_better: bool = True
    floor: float | None = None
    tolerance: float = 0.03


METRICS: tuple[Metric, ...] = (
    Metric("theme_v_measure", "themes vs gold themes over gold statements (V-measure)"),
    Metric("theme_count_error", "|themes - gold themes|", higher_is_better=False, tolerance=0.3),
    Metric("unthemed", "share of gold statements in no theme", higher_is_better=False),
    Metric("title_similarity", "MiniLM cosine of a theme's title and its gold title"),
    Metric("keyword_titles", "share of titles that are keyword lists", higher_is_better=False),
    Metric("polarity_accuracy", "theme polarity agrees with gold"),
    Metric("misfiled", "cited gold statements under the wrong section", higher_is_better=False),
    Metric("key_evidence_recall", "gold key evidence the synthesis cites"),
    Metric("citation_precision", "section citations that are gold evidence of that polarity"),
    Metric("vague_precision", "feedback called vague that is vague"),
    Metric("vague_recall", "vague feedback called vague"),
    Metric("expectation_status_accuracy", "expectation status agrees with gold"),
    Metric("suggestion_relevance", "suggestions answering a growth area, expectation or objective"),
    Metric("growth_area_coverage", "gold growth areas some suggestion answers"),
    Metric("other_team_objectives", "suggestions answering another team's objective", False),
    Metric("smart_completeness", "SMART fields that are specific, measured, dated, not stock"),
    Metric("level_fit", "suggestions closest to a ladder level within one of the engineer's"),
    Metric("key_step_actionability", "key steps that are one concrete action, not repeated"),
    Metric("checklist_accuracy", "checklist sufficiency agrees with gold"),
    Metric(
        "leaks",
        "must-not strings or reviewer names the engineer reads",
        False,
        floor=0,
        tolerance=0,
    ),
    Metric(
        "manager_draft_leaks", "the same in a manager's draft, quotes aside", False, tolerance=0
    ),
    Metric("swap_parity", "same structure after swapping the engineer's name and pronouns"),
    Metric(
        "judge_synthesis", "LLM judge's rubric score of the synthesis (with --judge)", tolerance=0.1
    ),
    Metric("drafts_failed", "drafts that failed", higher_is_better=False, floor=0.0, tolerance=0),
    Metric("input_tokens", "input tokens per case", higher_is_better=False, tolerance=1e9),
    Metric("output_tokens", "output tokens per case", higher_is_better=False, tolerance=1e9),
    Metric("cost_usd", "model cost per case", higher_is_better=False, tolerance=1e9),
    Metric("seconds", "seconds to store, embed and draft a case", False, tolerance=1e9),
)
METRIC = {m.name: m for m in METRICS}
