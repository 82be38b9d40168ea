"""Every guard over one draft: the report stored on the draft and read by the approval gate.

`review` runs the six guards on a draft's current content (the model's output, or the
manager's edit) against the inputs it was drafted from:

- citations: literal spans of this engineer's sources (blocking), and claims supported by what
  they cite, by meaning when an embedder is given (a warning, and the supported share);
- anonymity: the engineer-facing version names no reviewer, handle, email or identifying
  detail and copies no reviewer's sentence (blocking); themes held back below the threshold
  are listed (information);
- two tracks: nothing about pay, ratings, promotion or talent assessment in the engineer-facing
  version (blocking, never overridable);
- injection: instruction-like feedback is flagged (information) and a draft that did what it
  asked is blocked;
- bias: personality-focused, gendered or coded words in the draft and in its sources (warnings
  with a suggestion);
- PII: a placeholder left unrestored (a "[NAME_...]" the model made up) is blocking.

The guards themselves are pure checks (synth.guards); this is where they meet a draft and
its engineer-facing version (synth.drafting.gate.release). The report is pure data; the approval
gate (synth.drafting.service) stores it and refuses release while a blocking finding is
neither fixed nor overridden.
"""

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from synth.drafting.gate.release import engineer_version, withheld, withheld_suggestions
from synth.drafting.inputs import DraftInputs, ExpectationInputs
from synth.drafting.models import DraftKind
from synth.evidence import Claim, FeedbackItem, PersonName, Quote
from synth.guards import anonymity, bias, citations, two_track
from synth.guards.anonymity.check import check_anonymity
from synth.guards.findings import Finding, SourceText
from synth.guards.injection.detect import check_feedback, detect_injection
from synth.guards.injection.followed import check_followed
from synth.text import strings, walk

VERSION = "guards@1"
# MiniLM cosine between a claim and the best quote it cites. evals/bench_support.py: on 84
# hand-written pairs the best balanced accuracy (cross-validated) is at 0.075; higher cuts flag
# most honest paraphrases. It tells "the quotes are about something else" (AUC 0.90 against
# unrelated quotes) and nothing finer: a same-topic claim making the wrong point, or a
# contradiction, passes. That needs an entailment model, which does not run offline here.
SUPPORT_THRESHOLD = 0.075
_PLACEHOLDER = re.compile(r"\[(?:NAME|EMAIL)_[0-9A-F]{6,10}\]", re.IGNORECASE)

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class GuardContext:
    """What the guards need beyond the draft: who wrote its sources, the engineer's talent
    assessments of the period (never to be echoed to them), and the settings."""

    subject: PersonName | None = None
    reviewers: Sequence[anonymity.Reviewer] = ()
    anonymity_threshold: int = 3
    talent_texts: Sequence[str] = ()
    ladder: two_track.LadderTerms | None = None  # the organisation's level names (None: default)
    embed: Embed | None = field(default=None, compare=False)


class GuardReport(BaseModel):
    """Stored on the draft as `guard_report`."""

    model_config = ConfigDict(extra="forbid")

    version: str = VERSION
    checked: str = Field(description="output or edited: which content was checked")
    findings: list[Finding]
    blocking: int = Field(description="blocking findings, overridden or not")
    claims: int
    supported_claims: int
    supported_share: float | None = Field(description="claims supported by what they cite")

    def open_blocking(self, overridden: Sequence[str] = ()) -> list[Finding]:
        """Blocking findings an override (its fingerprints) does not cover."""
        covered = set(overridden)
        return [
            f
            for f in self.findings
            if f.blocking and not (f.overridable and f.fingerprint in covered)
        ]


# Words copied from the sources, not written by the drafter: a flagged remark's `terms` are
# the feedback's own words, listed so the manager sees what was flagged.
_QUOTES = frozenset(
    {"quote", "source_id", "source_kind", "expectation_id", "assessment_id", "terms"}
)
# A checklist restates the assessment it checks: those words are the manager's, not the model's.
_COPIED = _QUOTES | {"statement", "title"}


def untrusted_texts(inputs: DraftInputs) -> list[FeedbackItem | Quote]:
    """Feedback and self-assessment text in the inputs: whole feedback where the inputs
    carry it, and every quoted span (self-assessments arrive only as quotes)."""
    return [node for _, node in walk(inputs) if isinstance(node, FeedbackItem | Quote)]


def sources(inputs: DraftInputs) -> list[SourceText]:
    """Each untrusted text once: whole feedback, and quoted spans of anything else."""
    whole = {item.id for item in untrusted_texts(inputs) if isinstance(item, FeedbackItem)}
    found: dict[tuple[uuid.UUID, str], SourceText] = {}
    for item in untrusted_texts(inputs):
        if isinstance(item, FeedbackItem):
            found.setdefault((item.id, ""), SourceText(item.id, item.text))
        elif item.source_id not in whole:
            found.setdefault((item.source_id, item.text), SourceText(item.source_id, item.text))
    return list(found.values())


def _support(claims: list[tuple[str, Claim]], embed: Embed | None) -> tuple[list[Finding], int]:
    """Warnings for claims their quotes do not support, and how many are supported."""
    if not claims:
        return [], 0
    if embed is None:
        verdicts = [citations.supported(claim) for _, claim in claims]
        scores: list[float | None] = [None] * len(claims)
    else:
        quotes = [[c.quote for c in claim.citations] for _, claim in claims]
        flat = [q for qs in quotes for q in qs]
        vectors = embed([claim.text for _, claim in claims] + flat)
        claim_vecs, quote_vecs = vectors[: len(claims)], vectors[len(claims) :]
        scores, at = [], 0
        for i, qs in enumerate(quotes):
            sims = quote_vecs[at : at + len(qs)] @ claim_vecs[i]
            at += len(qs)
            scores.append(float(sims.max()))
        verdicts = [s is not None and s >= SUPPORT_THRESHOLD for s in scores]
    found = [
        Finding(
            guard=citations.GUARD,
            code=citations.CLAIM_UNSUPPORTED,
            blocking=False,
            message=(
                "the quotes this claim cites seem to be about something else"
                + (f" (similarity {score:.2f} < {SUPPORT_THRESHOLD})" if score is not None else "")
                + ": rewrite it from the quotes or cite what supports it"
            ),
            path=path,
            source_id=claim.citations[0].source_id,
        )
        for (path, claim), ok, score in zip(claims, verdicts, scores, strict=True)
        if not ok
    ]
    return found, sum(verdicts)


def agreed_texts(inputs: DraftInputs) -> set[str]:
    """Expectation titles the engineer and manager agreed: theirs already, not drafted."""
    if isinstance(inputs, ExpectationInputs):
        return {e.title for e in inputs.current_expectations}
    return {e.title for e in inputs.expectations}


def _engineer_facing(
    kind: DraftKind,
    content: dict[str, Any],
    inputs: DraftInputs,
    context: GuardContext,
    texts: list[SourceText],
) -> list[Finding]:
    """Anonymity and two tracks, on what the engineer would be shown."""
    threshold = context.anonymity_threshold
    agreed = agreed_texts(inputs)
    released = engineer_version(
        kind, content, anonymity_threshold=threshold, inputs=inputs, reviewers=context.reviewers
    )
    found = check_anonymity(
        released,
        reviewers=context.reviewers,
        feedback_texts=[item.text for item in texts],
        subject=context.subject,
        known=agreed,
    )
    found += [
        Finding(
            guard=anonymity.GUARD,
            code="theme_withheld",
            blocking=False,
            message=(
                f"“{section['theme']}” rests on {count} distinct reviewer(s) outside the "
                f"management chain (or names a withheld theme), fewer than {threshold}: the "
                "engineer will not see it; raise it in the 1:1 without attributing it"
            ),
            path=path,
        )
        for path, section, count in withheld(content, anonymity_threshold=threshold, inputs=inputs)
    ]
    found += [
        Finding(
            guard=anonymity.GUARD,
            code="suggestion_withheld",
            blocking=False,
            message=(
                f"“{suggestion.get('title', '')}” answers {suggestion.get('source', '')!r}, "
                "which is not released to the engineer (a theme under the anonymity threshold, "
                "or not a theme, objective or competency of their level): it stays in your "
                "version only"
            ),
            path=path,
        )
        for path, suggestion in withheld_suggestions(
            content, anonymity_threshold=threshold, inputs=inputs
        )
    ]
    return found + two_track.check_two_track(
        released,
        talent_texts=context.talent_texts,
        public_texts=[item.text for item in texts] + sorted(agreed),
        ladder=context.ladder,
    )


def _injection_and_bias(drafted: list[tuple[str, str]], texts: list[SourceText]) -> list[Finding]:
    """Sources flagged for injection and bias; drafts that followed one, or wrote biased words."""
    written = "\n".join(text for _, text in drafted)
    found = [
        finding
        for item in texts
        if detect_injection(item.text)
        for finding in check_followed(written, [item.text], source_id=item.id)
    ]
    found += check_feedback(texts) + bias.check_feedback_bias(texts)
    return found + [f for path, text in drafted for f in bias.check_bias(text, path)]


def placeholders(content: dict[str, Any]) -> list[Finding]:
    return [
        Finding(
            guard="pii",
            code="placeholder_left",
            blocking=True,
            message=f"a name placeholder was not restored: {m.group(0)}",
            path=path,
        )
        for path, text in strings(content)
        for m in _PLACEHOLDER.finditer(text)
    ]


def review(
    kind: DraftKind,
    output: BaseModel,
    inputs: DraftInputs,
    context: GuardContext,
    *,
    checked: str = "output",
) -> GuardReport:
    """Run every guard on `output` (a drafter output type, possibly edited)."""
    content = output.model_dump(mode="json")
    texts = sources(inputs)
    claims = list(citations.claims(output))
    unsupported, supported = _support(claims, context.embed)
    found = citations.check_quotes(output, inputs) + unsupported
    if kind is not DraftKind.CHECKLIST:  # checklists are never shown to the engineer
        found += _engineer_facing(kind, content, inputs, context, texts)
    drafted = list(strings(content, skip=_COPIED if kind is DraftKind.CHECKLIST else _QUOTES))
    found += _injection_and_bias(drafted, texts) + placeholders(content)
    found = list({f.fingerprint + f.message: f for f in found}.values())
    return GuardReport(
        checked=checked,
        findings=found,
        blocking=sum(f.blocking for f in found),
        claims=len(claims),
        supported_claims=supported,
        supported_share=round(supported / len(claims), 4) if claims else None,
    )
