"""Eval cases: one engineer's review period with gold annotations, one YAML file each.

A case is written by hand and reviewed like code. It holds what synth stores (the engineer,
their manager and reviewers, expectations, self-assessment, feedback, optionally a talent
assessment) and what a careful manager says the drafts should find (`gold`): the themes with
their member quotes and polarity, the evidence that must be cited, the vague items, each
expectation's true status, the growth areas a suggestion must answer, the checklist's true
sufficiency per assessment statement, and strings no draft may contain.

Quotes in the gold are verbatim substrings of the feedback they name; `load_cases` checks
that, and every cross-reference, so a typo fails loudly rather than scoring zero.
"""

from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from synth.cycles.models import ExpectationKind, Outcome
from synth.drafting.outputs import EvidenceStatus, EvidenceSufficiency
from synth.errors import SynthError
from synth.evidence import Relationship
from synth.people.models import Function, Track
from synth.talent.models import Confidence, LevelAlignment

IC_LEVELS = ("junior", "mid", "senior", "staff", "principal")
MANAGER_LEVELS = ("em", "senior_em", "director")
Polarity = Literal["positive", "negative", "mixed"]
Pronouns = Literal["she", "he", "they"]


class CaseError(SynthError):
    """An eval case file is malformed or refers to something it does not define."""

    code = "invalid_eval_case"
    status = 422


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Model):
    name: str = "2026 H2"
    starts_on: date = date(2026, 7, 1)
    ends_on: date = date(2026, 12, 31)


class Team(_Model):
    name: str
    objectives: list[str] = Field(default_factory=list, description="the engineer's own team's")


class Subject(_Model):
    name: str
    pronouns: Pronouns
    level: str
    function: Function = Function.ENGINEERING
    track: Track = Track.IC
    title: str = ""
    start_date: date

    @model_validator(mode="after")
    def _known_level(self) -> "Subject":
        levels = IC_LEVELS if self.track is Track.IC else MANAGER_LEVELS
        if self.level not in levels:
            raise ValueError(f"level {self.level!r} is not one of {', '.join(levels)}")
        return self


class Manager(_Model):
    name: str
    level: str = "em"

    @model_validator(mode="after")
    def _known_level(self) -> "Manager":
        if self.level not in MANAGER_LEVELS:
            raise ValueError(
                f"manager level {self.level!r} is not one of {', '.join(MANAGER_LEVELS)}"
            )
        return self


class Reviewer(_Model):
    key: str
    name: str
    function: Function = Function.ENGINEERING
    title: str = ""


class KeyStep(_Model):
    text: str
    done: bool = False


class CaseExpectation(_Model):
    key: str
    title: str
    kind: ExpectationKind
    due_on: date | None = None
    key_steps: list[KeyStep] = Field(default_factory=list)
    gold_status: EvidenceStatus = Field(description="what the feedback and self-assessment show")


class SelfOnExpectation(_Model):
    expectation: str
    outcome: Outcome
    text: str


class SelfAssessment(_Model):
    overall: str
    expectations: list[SelfOnExpectation] = Field(default_factory=list)


class Answer(_Model):
    expectation: str
    comment: str


class CaseFeedback(_Model):
    key: str
    author: str = Field(description="a reviewer's key, or 'manager'")
    relationship: Relationship
    text: str
    expectation_answers: list[Answer] = Field(default_factory=list)


class GoldChecklistItem(_Model):
    statement: str = Field(description="a strength or development need, exactly as written above")
    status: EvidenceSufficiency


class TalentAssessment(_Model):
    thought_partner: str = Field(description="a reviewer's key")
    level_alignment: LevelAlignment
    confidence: Confidence
    recommended_level: str | None = None
    strengths: list[str] = Field(default_factory=list)
    development_needs: list[str] = Field(default_factory=list)
    gold: list[GoldChecklistItem] = Field(default_factory=list)


class Quoted(_Model):
    feedback: str
    quote: str


class GoldTheme(_Model):
    title: str = Field(description="the title a person would write")
    polarity: Polarity
    members: list[Quoted] = Field(min_length=1)


class Gold(_Model):
    themes: list[GoldTheme] = Field(default_factory=list)
    key_evidence: list[Quoted] = Field(default_factory=list)
    vague: list[str] = Field(default_factory=list, description="feedback keys with no example")
    growth_areas: list[str] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)


class Case(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,80}$")
    summary: str
    tags: list[str] = Field(default_factory=list)
    period: Period = Period()
    team: Team
    other_objectives: list[str] = Field(
        default_factory=list, description="another team's objectives: no suggestion may answer"
    )
    subject: Subject
    manager: Manager
    reviewers: list[Reviewer] = Field(default_factory=list)
    expectations: list[CaseExpectation] = Field(default_factory=list)
    self_assessment: SelfAssessment | None = None
    feedback: list[CaseFeedback] = Field(default_factory=list)
    talent_assessment: TalentAssessment | None = None
    gold: Gold

    @model_validator(mode="after")
    def _references(self) -> "Case":
        people = {r.key for r in self.reviewers} | {"manager"}
        expectations = {e.key for e in self.expectations}
        texts = {f.key: f.text for f in self.feedback}
        problems: list[str] = []
        for what, keys in (
            ("reviewer", [r.key for r in self.reviewers] + ["manager"]),
            ("expectation", [e.key for e in self.expectations]),
            ("feedback", [f.key for f in self.feedback]),
        ):
            problems += [
                f"{what} key {k!r} used twice" for k in sorted(set(keys)) if keys.count(k) > 1
            ]
        functions = {r.key: r.function for r in self.reviewers}
        roles: dict[str, set[Relationship]] = {}
        for f in self.feedback:
            roles.setdefault(f.author, set()).add(f.relationship)
            if f.author == "manager" and f.relationship is not Relationship.MANAGER:
                problems.append(f"feedback {f.key}: the manager writes as 'manager'")
            if f.author != "manager" and f.relationship is Relationship.MANAGER:
                problems.append(f"feedback {f.key}: only author 'manager' writes as manager")
            cross = (
                functions.get(f.author) is not self.subject.function
                or self.subject.function is not Function.ENGINEERING
            )
            if f.relationship is Relationship.CROSS_FUNCTIONAL and not cross:
                problems.append(
                    f"feedback {f.key}: cross_functional needs a reviewer whose function "
                    "differs from the subject's (set the reviewer's `function`)"
                )
            if f.author not in people:
                problems.append(f"feedback {f.key}: unknown author {f.author!r}")
            problems += [
                f"feedback {f.key}: unknown expectation {a.expectation!r}"
                for a in f.expectation_answers
                if a.expectation not in expectations
            ]
        problems += [
            f"reviewer {k!r} writes as {' and '.join(sorted(r.value for r in rs))}: pick one"
            for k, rs in roles.items()
            if len(rs) > 1
        ]
        if self.self_assessment is not None:
            problems += [
                f"self-assessment: unknown expectation {s.expectation!r}"
                for s in self.self_assessment.expectations
                if s.expectation not in expectations
            ]
        quoted = [q for t in self.gold.themes for q in t.members] + self.gold.key_evidence
        for q in quoted:
            if q.feedback not in texts:
                problems.append(f"gold: unknown feedback {q.feedback!r}")
            elif q.quote not in texts[q.feedback]:
                problems.append(f"gold: {q.quote!r} is not in feedback {q.feedback}")
        problems += [
            f"gold: unknown vague feedback {k!r}" for k in self.gold.vague if k not in texts
        ]
        assessment = self.talent_assessment
        if assessment is not None:
            if assessment.thought_partner not in people:
                problems.append(
                    f"talent assessment: unknown partner {assessment.thought_partner!r}"
                )
            written = set(assessment.strengths) | set(assessment.development_needs)
            problems += [
                f"talent assessment gold: {g.statement!r} is not a strength or development need"
                for g in assessment.gold
                if g.statement not in written
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def gold_statuses(self) -> dict[str, EvidenceStatus]:
        return {e.key: e.gold_status for e in self.expectations}


def load_case(path: Path) -> Case:
    """One case file, validated; a clear `CaseError` naming the file otherwise."""
    try:
        case = Case.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError, OSError) as exc:
        raise CaseError(f"{path}: {exc}") from exc
    if case.id != path.stem:
        raise CaseError(f"{path}: id {case.id!r} must match the file name")
    return case


def load_cases(directory: Path, *, only: list[str] | None = None) -> list[Case]:
    """Every `*.yaml` case under `directory`, sorted by id (or just those in `only`)."""
    if not directory.is_dir():
        raise CaseError(f"{directory}: no such directory of eval cases")
    paths = sorted(directory.glob("*.yaml"))
    if only:
        missing = set(only) - {p.stem for p in paths}
        if missing:
            raise CaseError(f"no such case(s) in {directory}: {', '.join(sorted(missing))}")
        paths = [p for p in paths if p.stem in only]
    cases = [load_case(p) for p in paths]
    if not cases:
        raise CaseError(f"{directory}: no eval cases (*.yaml)")
    return cases


if __name__ == "__main__":  # python -m synth.evaluation.cases DIR: validate the files
    import sys

    loaded = load_cases(Path(sys.argv[1] if len(sys.argv) > 1 else "evals/cases"))
    print(f"{len(loaded)} cases valid")
