"""Evaluators: one per quality a draft must have, scored against a case's gold annotations.

Each is a pydantic-evals `Evaluator` returning named scores for one case (a score a case has
nothing to measure for is left out, not zeroed). Deterministic first: span overlaps against
the gold quotes, the packaged MiniLM for meaning (titles, relevance, level fit), and plain
rules for form (keyword-list titles, SMART fields, key steps). `METRICS` says which way is
better for each score and where the gate sits.

Spans: a gold quote is located in the stored text of its feedback; a citation or a theme's
statement "is" a gold quote when it covers at least half of it (a quote cut mid-sentence
still counts; one that shares a word does not).
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic_evals.evaluators import Evaluator, EvaluatorContext
from sklearn.metrics import v_measure_score

from synth.drafting.inputs import SynthesisInputs, ThemeInput
from synth.drafting.models import DraftKind
from synth.drafting.outputs import (
    EvidenceChecklist,
    ExpectationSuggestions,
    Synthesis,
    ThemeSection,
)
from synth.evaluation.cases import IC_LEVELS, MANAGER_LEVELS, Case, Quoted
from synth.evaluation.runner import CaseRun
from synth.evidence import Citation
from synth.people.ladder import DEFAULT_LADDER, parse_ladder
from synth.people.models import Track
from synth.text import strings
from synth.themes.polarity import Polarity

Scores = dict[str, float]
Span = tuple[Any, int, int]  # (source id, start, end)
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]
COVERS = 0.5  # a span "is" a gold quote when it covers this share of it
RELEVANT = 0.4  # MiniLM cosine at which a suggestion answers a growth area or objective


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


# ------------------------------------------------------------------------------ spans


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def gold_span(run: CaseRun, quoted: Quoted) -> Span | None:
    """Where a gold quote sits in its stored feedback (None if the text was changed)."""
    source = run.feedback_ids[quoted.feedback]
    at = run.feedback_texts[source].find(quoted.quote)
    if at < 0:
        at = run.feedback_texts[source].find(quoted.quote.strip())
    return (source, at, at + len(quoted.quote)) if at >= 0 else None


def covers(span: Span, gold: Span) -> bool:
    """True when `span` covers at least COVERS of the gold span."""
    if span[0] != gold[0]:
        return False
    return _overlap(span[1:], gold[1:]) >= COVERS * max(1, gold[2] - gold[1])


def cited(citation: Citation) -> Span:
    return (citation.source_id, citation.start, citation.end)


# ------------------------------------------------------------------------------ gold


@dataclass
class Gold:
    """A case's gold annotations located in what was stored."""

    members: list[tuple[int, Span]]  # (gold theme index, span)
    polarity: list[str]
    key_evidence: list[Span]

    @classmethod
    def of(cls, case: Case, run: CaseRun) -> "Gold":
        members = [
            (i, span)
            for i, theme in enumerate(case.gold.themes)
            for q in theme.members
            if (span := gold_span(run, q)) is not None
        ]
        evidence = [s for q in case.gold.key_evidence if (s := gold_span(run, q)) is not None]
        return cls(members, [t.polarity for t in case.gold.themes], evidence)

    def theme_of(self, span: Span) -> int | None:
        """The gold theme whose member `span` covers (or is covered by), if any."""
        for i, gold in self.members:
            if covers(span, gold) or covers(gold, span):
                return i
        return None


def _statement_theme(themes: Sequence[ThemeInput], gold: Span) -> int | None:
    best, where = 0, None
    for t, theme in enumerate(themes):
        for s in theme.spans:
            if s.source_id == gold[0]:
                shared = _overlap((s.start, s.end), gold[1:])
                if shared > best:
                    best, where = shared, t
    return where if best >= COVERS * max(1, gold[2] - gold[1]) else None


def _sections(synthesis: Synthesis) -> Iterable[tuple[str, ThemeSection]]:
    for section in synthesis.strengths:
        yield "strength", section
    for section in synthesis.growth_areas:
        yield "growth", section


# ------------------------------------------------------------------------------ embeddings


def _minilm() -> Any:
    from synth.themes.embedders import local_embedder

    return local_embedder()


def minilm(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    vectors: npt.NDArray[np.float32] = _minilm().embed(list(texts))
    return vectors


def _similarity(embed: Embed, left: Sequence[str], right: Sequence[str]) -> npt.NDArray[Any]:
    if not left or not right:
        return np.zeros((len(left), len(right)), dtype=np.float32)
    vectors = embed([*left, *right])
    result: npt.NDArray[Any] = vectors[: len(left)] @ vectors[len(left) :].T
    return result


# ------------------------------------------------------------------------------ evaluators


Context = EvaluatorContext[Case, CaseRun, Any]


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else 0.0


@dataclass
class Themes(Evaluator[Case, CaseRun, Any]):
    """Theme agreement (V-measure over gold statements, count error, unthemed share), title
    similarity to the gold title, keyword-list titles, and polarity agreement."""

    embed: Embed = field(default=minilm)

    def evaluate(self, ctx: Context) -> Scores:
        inputs = ctx.output.inputs(DraftKind.SYNTHESIS)
        if not isinstance(inputs, SynthesisInputs):
            return {}
        return theme_scores(ctx.inputs, ctx.output, inputs.themes, self.embed)


AS_GOLD = {Polarity.STRENGTH: "positive", Polarity.GROWTH_AREA: "negative", Polarity.MIXED: "mixed"}
KEYWORD_TITLE = re.compile(r"^\s*[\w'’-]+(\s*(,|&|·|\band\b|/)\s*[\w'’-]+)+\s*$", re.IGNORECASE)


def is_keyword_list(title: str) -> bool:
    """ "Waited and timed", "ledger · comments", "Build, mobile": disjoint words, no phrase."""
    return KEYWORD_TITLE.match(title) is not None


def theme_scores(case: Case, run: CaseRun, themes: Sequence[ThemeInput], embed: Embed) -> Scores:
    gold = Gold.of(case, run)
    scores: Scores = {}
    titles = [t.label for t in themes]
    if titles:
        scores["keyword_titles"] = _mean([float(is_keyword_list(t)) for t in titles])
    if not case.gold.themes:
        return scores
    truth: list[int] = []
    found: list[int] = []
    matched: dict[int, Counter[int]] = {}
    for i, span in gold.members:
        t = _statement_theme(themes, span)
        truth.append(i)
        found.append(t if t is not None else -1)  # the unthemed together, as one group
        if t is not None:
            matched.setdefault(i, Counter())[t] += 1
    if truth:
        scores["theme_v_measure"] = float(v_measure_score(truth, found))
        scores["unthemed"] = sum(1 for f in found if f < 0) / len(found)
    scores["theme_count_error"] = float(abs(len(themes) - len(case.gold.themes)))
    pairs = [(i, counts.most_common(1)[0][0]) for i, counts in matched.items()]
    if pairs:
        sims = _similarity(
            embed, [case.gold.themes[i].title for i, _ in pairs], [titles[t] for _, t in pairs]
        )
        scores["title_similarity"] = float(np.mean(np.diag(sims)))
        polar = [
            (case.gold.themes[i].polarity, AS_GOLD[themes[t].polarity])
            for i, t in pairs
            if case.gold.themes[i].polarity != "mixed"
        ]
        if polar:
            scores["polarity_accuracy"] = _mean([float(g == f) for g, f in polar])
    return scores


@dataclass
class Citations(Evaluator[Case, CaseRun, Any]):
    """Key-evidence recall, citation precision and misfiled evidence in the synthesis."""

    def evaluate(self, ctx: Context) -> Scores:
        synthesis = ctx.output.output(DraftKind.SYNTHESIS)
        if not isinstance(synthesis, Synthesis):
            return {}
        return citation_scores(ctx.inputs, ctx.output, synthesis)


FITS = {"strength": ("positive", "mixed"), "growth": ("negative", "mixed")}


def all_citations(synthesis: Synthesis) -> list[Citation]:
    found = [c for _, s in _sections(synthesis) for claim in s.claims for c in claim.citations]
    found += [c for e in synthesis.expectations for c in e.citations]
    found += [c for p in synthesis.self_vs_peers for c in p.citations]
    return found


def citation_scores(case: Case, run: CaseRun, synthesis: Synthesis) -> Scores:
    gold = Gold.of(case, run)
    scores: Scores = {}
    spans = [cited(c) for c in all_citations(synthesis)]
    if gold.key_evidence:
        scores["key_evidence_recall"] = _mean(
            [float(any(covers(s, k) or covers(k, s) for s in spans)) for k in gold.key_evidence]
        )
    feedback = set(run.feedback_ids.values())
    placed = [
        (where, cited(c))
        for where, section in _sections(synthesis)
        for claim in section.claims
        for c in claim.citations
        if c.source_id in feedback  # self-assessment quotes are the engineer's own view
    ]
    if placed and case.gold.themes:
        themes = [(where, gold.theme_of(span)) for where, span in placed]
        scores["citation_precision"] = _mean(
            [float(t is not None and gold.polarity[t] in FITS[w]) for w, t in themes]
        )
        polar = [(w, gold.polarity[t]) for w, t in themes if t is not None]
        wrong = [w for w, p in polar if p != "mixed" and p not in FITS[w]]
        if polar:
            scores["misfiled"] = len(wrong) / len(polar)
    predicted = {run.feedback_keys.get(i) for i in synthesis.vague_feedback_ids} - {None}
    truth = set(case.gold.vague)
    if predicted:
        scores["vague_precision"] = len(predicted & truth) / len(predicted)
    if truth:
        scores["vague_recall"] = len(predicted & truth) / len(truth)
    statuses = {e.expectation_id: e.status for e in synthesis.expectations}
    judged = [(statuses.get(run.expectation_ids[e.key]), e.gold_status) for e in case.expectations]
    if judged:
        scores["expectation_status_accuracy"] = _mean([float(s == g) for s, g in judged])
    return scores


@dataclass
class Suggestions(Evaluator[Case, CaseRun, Any]):
    """Expectation suggestions: relevance, growth-area coverage, another team's objectives,
    SMART completeness, level fit and key-step actionability."""

    embed: Embed = field(default=minilm)

    def evaluate(self, ctx: Context) -> Scores:
        suggestions = ctx.output.output(DraftKind.EXPECTATIONS)
        if not isinstance(suggestions, ExpectationSuggestions):
            return {}
        return suggestion_scores(ctx.inputs, suggestions, self.embed)


def suggestion_scores(case: Case, drafted: ExpectationSuggestions, embed: Embed) -> Scores:
    items = drafted.expectations
    titles = [s.title for s in items]
    own = [*case.gold.growth_areas, *(e.title for e in case.expectations), *case.team.objectives]
    mine = _similarity(embed, titles, own).max(axis=1) if own else np.zeros(len(titles))
    theirs = _similarity(embed, titles, case.other_objectives)
    other = theirs.max(axis=1) if case.other_objectives else np.full(len(titles), -1.0)
    scores: Scores = {
        "suggestion_relevance": _mean(
            [float(m >= RELEVANT and m >= o) for m, o in zip(mine, other, strict=True)]
        ),
        "smart_completeness": _mean([smart_score(s, items) for s in items]),
        "key_step_actionability": key_step_score([s.key_steps for s in items]),
        "level_fit": level_fit(case, titles, embed),
    }
    if case.other_objectives:
        scores["other_team_objectives"] = _mean(
            [float(o >= RELEVANT and o > m) for m, o in zip(mine, other, strict=True)]
        )
    if case.gold.growth_areas:
        answered = _similarity(embed, case.gold.growth_areas, titles).max(axis=1)
        scores["growth_area_coverage"] = _mean([float(a >= RELEVANT) for a in answered])
    return scores


NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|ten|half|twice|every|each|all|no)\b", re.I)
WHEN = re.compile(
    r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(q[1-4]|week|weeks|month|months|quarter|sprint|period|day|days)\b",
    re.I,
)


def smart_score(item: Any, siblings: Sequence[Any]) -> float:
    """Share of the five SMART fields that hold up: specific, measured (a number), achievable
    and relevant in words of their own (not the same sentence as a sibling's), dated."""
    smart = item.smart
    stock = Counter(s.smart.achievable.strip() for s in siblings)
    stock_relevant = Counter(s.smart.relevant.strip() for s in siblings)
    checks = [
        len(smart.specific.split()) >= 4,
        bool(NUMBER.search(smart.measurable)),
        len(smart.achievable.split()) >= 4
        and (len(siblings) < 2 or stock[smart.achievable.strip()] == 1),
        len(smart.relevant.split()) >= 4
        and (len(siblings) < 2 or stock_relevant[smart.relevant.strip()] == 1),
        bool(WHEN.search(smart.time_bound)) or item.due_on is not None,
    ]
    return sum(checks) / len(checks)


NOT_ACTIONS = frozenset(
    "the a an this that these those it its you your i we our they their he she his her is are "
    "be being been was were will would should could can may might must there here "
    "improvement progress growth better more less".split()
)


def actionable(step: str) -> bool:
    """One concrete action: starts with a verb-like word (not an article, pronoun, auxiliary or
    a vague noun), or a time phrase then one ("Once a month, go over ..."), 4-40 words."""
    words = re.findall(r"[\w'’-]+", step.lower())
    if not 4 <= len(words) <= 40:
        return False
    lead = step.split(",", 1)[1] if "," in step[:30] else step
    first = re.findall(r"[\w'’-]+", lead.lower())[:1]
    return bool(first) and first[0] not in NOT_ACTIONS and not first[0].endswith("ing")


def key_step_score(steps: Sequence[Sequence[str]]) -> float:
    """Share of key steps that are actionable and appear in one suggestion only (the same
    step under every suggestion is a template, not a plan)."""
    everywhere = Counter(s.strip().lower() for group in steps for s in set(group))
    flat = [s for group in steps for s in group]
    if not flat:
        return 0.0
    return _mean(
        [
            float(actionable(s) and (len(steps) < 2 or everywhere[s.strip().lower()] == 1))
            for s in flat
        ]
    )


@cache
def _ladder() -> dict[str, tuple[Track, int, list[str]]]:
    spec = parse_ladder(DEFAULT_LADDER.read_text(), source=str(DEFAULT_LADDER))
    return {
        level.key: (
            level.track,
            level.rank,
            [line for lines in level.expectations.values() for line in lines]
            + list(level.example_expectations),
        )
        for level in spec.levels
    }


def level_fit(case: Case, titles: Sequence[str], embed: Embed) -> float:
    """Share of suggestions whose closest ladder level (mean of its three best-matching
    expectation lines) is within one rank of the engineer's, on the engineer's track."""
    ladder = {k: v for k, v in _ladder().items() if v[0] is case.subject.track}
    if case.subject.level not in ladder or not titles:
        return 0.0
    keys = [
        k for k in (IC_LEVELS if case.subject.track is Track.IC else MANAGER_LEVELS) if k in ladder
    ]
    lines = [(k, line) for k in keys for line in ladder[k][2]]
    sims = _similarity(embed, list(titles), [line for _, line in lines])
    rank = ladder[case.subject.level][1]
    fits = []
    for row in sims:
        best = max(
            keys,
            key=lambda k: float(
                np.mean(sorted((s for (kk, _), s in zip(lines, row, strict=True) if kk == k))[-3:])
            ),
        )
        fits.append(float(abs(ladder[best][1] - rank) <= 1))
    return _mean(fits)


@dataclass
class Checklist(Evaluator[Case, CaseRun, Any]):
    """Evidence sufficiency of each assessment statement against gold."""

    def evaluate(self, ctx: Context) -> Scores:
        checklist = ctx.output.output(DraftKind.CHECKLIST)
        assessment = ctx.inputs.talent_assessment
        if (
            not isinstance(checklist, EvidenceChecklist)
            or assessment is None
            or not assessment.gold
        ):
            return {}
        found = {item.statement.strip(): item.status for item in checklist.items}
        return {
            "checklist_accuracy": _mean(
                [float(found.get(g.statement.strip()) == g.status) for g in assessment.gold]
            )
        }


@dataclass
class Leaks(Evaluator[Case, CaseRun, Any]):
    """Must-not strings (injected payloads, biased words, pay talk, identifying roles) and
    the names of reviewers who are named nowhere in the texts: in what the engineer reads
    (the released views: the gate's promise), and in the manager's synthesis and suggestions
    outside the quotes (the drafter's own words; the manager may read the quoted feedback
    itself). The checklist belongs to the talent track, where level and promotion talk is the
    subject, and is left out. Also counts drafts that failed."""

    def evaluate(self, ctx: Context) -> Scores:
        case, run = ctx.inputs, ctx.output
        banned = forbidden(case)
        released = [d.released for d in run.drafts.values() if d.released]
        manager = [
            d.output
            for kind, d in run.drafts.items()
            if d.output is not None and kind is not DraftKind.CHECKLIST
        ]
        return {
            "leaks": float(sum(len(leaked(banned, content)) for content in released)),
            "manager_draft_leaks": float(
                sum(len(leaked(banned, content, skip=QUOTES)) for content in manager)
            ),
            "drafts_failed": float(sum(d.output is None for d in run.drafts.values())),
        }


# The sources' own words: quotes, and the words a flagged remark was flagged for.
QUOTES = frozenset({"quote", "citations", "terms"})


def forbidden(case: Case) -> list[str]:
    """What no draft may contain: the case's must-not strings, and each reviewer's name parts
    that no feedback or self-assessment text mentions."""
    texts = " ".join(
        [f.text for f in case.feedback]
        + ([case.self_assessment.overall] if case.self_assessment else [])
        + ([s.text for s in case.self_assessment.expectations] if case.self_assessment else [])
        + [e.title for e in case.expectations]
        + case.team.objectives
    ).lower()
    authors = {f.author for f in case.feedback}
    names = [
        part
        for r in case.reviewers
        if r.key in authors
        for part in r.name.split()
        if len(part) > 2 and part.lower() not in texts
    ]
    return list(dict.fromkeys([*case.gold.must_not, *names]))


def leaked(banned: Sequence[str], content: Any, *, skip: frozenset[str] = frozenset()) -> list[str]:
    """The banned strings found (case-insensitive, whole words) in any string of `content`
    (keys in `skip` not entered)."""
    text = "\n".join(s for _, s in strings(content, skip=skip))
    return [
        b
        for b in banned
        if re.search(rf"(?<![\w]){re.escape(b)}(?![\w])", text, re.IGNORECASE) is not None
    ]


@dataclass
class Parity(Evaluator[Case, CaseRun, Any]):
    """The run of the case with the engineer's name and pronouns swapped must give the same
    structure: themes, sections, cited feedback, statuses, vague items, checklist."""

    def evaluate(self, ctx: Context) -> Scores:
        swapped = ctx.output.swapped
        if swapped is None:
            return {}
        a, b = signature(ctx.output), signature(swapped)
        keys = a.keys() | b.keys()
        return {"swap_parity": _mean([float(a.get(k) == b.get(k)) for k in keys])}


def signature(run: CaseRun) -> dict[str, Any]:
    """What must not depend on the engineer's name or pronouns, by feedback key not id."""
    keys = run.feedback_keys
    out: dict[str, Any] = {}
    synthesis = run.output(DraftKind.SYNTHESIS)
    if isinstance(synthesis, Synthesis):
        for where, section in _sections(synthesis):
            cited_keys = sorted(
                {keys.get(c.source_id, "self") for cl in section.claims for c in cl.citations}
            )
            out.setdefault(where, []).append(cited_keys)
        out["strength"] = sorted(out.get("strength", []))
        out["growth"] = sorted(out.get("growth", []))
        out["statuses"] = sorted(e.status.value for e in synthesis.expectations)
        out["vague"] = sorted(keys.get(i, "?") for i in synthesis.vague_feedback_ids)
    suggestions = run.output(DraftKind.EXPECTATIONS)
    if isinstance(suggestions, ExpectationSuggestions):
        out["suggestions"] = sorted(s.kind.value for s in suggestions.expectations)
    checklist = run.output(DraftKind.CHECKLIST)
    if isinstance(checklist, EvidenceChecklist):
        out["checklist"] = [i.status.value for i in checklist.items]
    return out


@dataclass
class Usage(Evaluator[Case, CaseRun, Any]):
    """Tokens, cost and time per case."""

    def evaluate(self, ctx: Context) -> Scores:
        usage = [d.usage for d in ctx.output.drafts.values()]
        return {
            "input_tokens": float(sum(u.get("input_tokens", 0) for u in usage)),
            "output_tokens": float(sum(u.get("output_tokens", 0) for u in usage)),
            "cost_usd": float(sum(u.get("cost_usd", 0.0) for u in usage)),
            "seconds": ctx.output.seconds,
        }


def evaluators(embed: Embed = minilm) -> list[Evaluator[Case, CaseRun, Any]]:
    """Every evaluator, meaning measured with `embed` (the packaged MiniLM by default)."""
    return [
        Themes(embed),
        Citations(),
        Suggestions(embed),
        Checklist(),
        Leaks(),
        Parity(),
        Usage(),
    ]
