"""Gather a drafter's inputs from the database: themes, quotes, expectations, the ladder.

Runs as the system (the draft service has already checked who asked). Reviewers become
stable pseudonymous handles (R1, R2, ... by first feedback), never names.
"""

import uuid
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.config import get_settings
from synth.cycles.models import (
    Expectation,
    PeerFeedback,
    ReviewPeriod,
    SelfAssessment,
)
from synth.drafting.inputs import (
    AssessmentInput,
    AssessmentItemInput,
    ChecklistInputs,
    ExpectationInput,
    ExpectationInputs,
    FeedbackItem,
    KeyStepInputs,
    LevelInput,
    Named,
    OwnExpectationInput,
    PeriodInput,
    Quote,
    Span,
    SynthesisInputs,
    ThemeInput,
)
from synth.drafting.outputs import ChecklistItemKind, SourceKind
from synth.drafting.specificity import is_specific
from synth.people.models import Level, Person
from synth.people.names import people_named_in
from synth.talent.models import LevelAlignment, TalentAssessment
from synth.themes.embedders import Embedder
from synth.themes.models import SourceType, Statement
from synth.themes.polarity import Polarity, statement_polarity
from synth.themes.private import embed_private, vector_key
from synth.themes.service import person_themes
from synth.themes.stance import combined_polarity, lean_polarity
from synth.themes.store import vectors_for

RELATED = 0.35  # cosine similarity for "this statement is about that expectation / claim"
NEW_HIRE_DAYS = 90
InputsT = TypeVar("InputsT", bound=Named)


def _level(db: Session, key: str | None) -> LevelInput:
    level = db.get(Level, key) if key else None
    if level is None:
        return LevelInput(key=key, name=key or "no level", track="ic", style="ownership", scope="")
    following = db.scalar(
        select(Level).where(Level.track == level.track, Level.rank == level.rank + 1)
    )
    return LevelInput(
        key=level.key,
        name=level.name,
        track=level.track.value,
        style=level.expectation_style,
        scope=level.scope,
        expectations={k: list(v) for k, v in level.expectations.items()},
        next_level=following.key if following else None,
        next_level_expectations=(
            {k: list(v) for k, v in following.expectations.items()} if following else {}
        ),
    )


def _period(period: ReviewPeriod) -> PeriodInput:
    return PeriodInput(name=period.name, starts_on=period.starts_on, ends_on=period.ends_on)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def next_period(period: ReviewPeriod) -> PeriodInput:
    """The period after this one, as many calendar months long (a half-year follows a
    half-year: 2026-07-01..2026-12-31 is followed by 2027-01-01..2027-06-30)."""
    start = period.ends_on + timedelta(days=1)
    months = max(1, round((period.ends_on - period.starts_on).days / 30.44))
    if start.day != 1:  # periods that do not start on the first: keep the same length
        return PeriodInput(
            name=f"after {period.name}",
            starts_on=start,
            ends_on=start + (period.ends_on - period.starts_on),
        )
    end = _add_months(start, months) - timedelta(days=1)
    return PeriodInput(name=f"after {period.name}", starts_on=start, ends_on=end)


class _Context:
    """Everything about one engineer's period that several inputs need."""

    def __init__(
        self, db: Session, subject: Person, period: ReviewPeriod, embedder: Embedder
    ) -> None:
        self.db, self.subject, self.period, self.embedder = db, subject, period, embedder
        self.feedback = list(
            db.scalars(
                select(PeerFeedback)
                .where(PeerFeedback.subject_id == subject.id, PeerFeedback.period_id == period.id)
                .order_by(PeerFeedback.created_at, PeerFeedback.id)
            )
        )
        self.handles: dict[uuid.UUID, str] = {}
        for fb in self.feedback:
            self.handles.setdefault(fb.author_id, f"R{len(self.handles) + 1}")
        self.by_feedback = {fb.id: fb for fb in self.feedback}
        self.themes = person_themes(
            db_session=db,
            principal=Principal.system(),
            person_id=subject.id,
            period_id=period.id,
            embedder=embedder,
        )
        self.statements = list(
            db.scalars(
                select(Statement).where(
                    Statement.subject_id == subject.id, Statement.period_id == period.id
                )
            )
        )
        self.vectors = vectors_for(db, vector_key(embedder), [s.id for s in self.statements])
        self.self_assessments = list(
            db.scalars(
                select(SelfAssessment).where(
                    SelfAssessment.person_id == subject.id,
                    SelfAssessment.period_id == period.id,
                )
            )
        )

    def named(self, inputs: InputsT) -> InputsT:
        """`inputs` with the people its texts may name (for placeholders before a model)."""
        texts = [fb.text for fb in self.feedback] + [sa.text for sa in self.self_assessments]
        texts += [a["comment"] for fb in self.feedback for a in fb.expectation_answers]
        always = [self.subject.id, *self.handles]
        people = people_named_in(self.db, texts, always=always)
        return inputs.model_copy(update={"people": people})

    def quote(self, statement: Statement) -> Quote:
        peer = statement.source_type is SourceType.PEER_FEEDBACK
        source_id = statement.feedback_id if peer else statement.self_assessment_id
        assert source_id is not None
        reviewer = None
        if peer and statement.feedback_id in self.by_feedback:
            reviewer = self.handles[self.by_feedback[statement.feedback_id].author_id]
        return Quote(
            source_id=source_id,
            source_kind=SourceKind.PEER_FEEDBACK if peer else SourceKind.SELF_ASSESSMENT,
            start=statement.start_offset,
            end=statement.end_offset,
            text=statement.text,
            reviewer=reviewer,
        )

    def feedback_items(self) -> list[FeedbackItem]:
        return [
            FeedbackItem(
                id=fb.id,
                reviewer=self.handles[fb.author_id],
                relationship=fb.relationship,
                specific=is_specific(fb.text),
                text=fb.text,
            )
            for fb in self.feedback
        ]

    def polarity(self, statement_id: uuid.UUID, text: str) -> float:
        """One statement's polarity, by its cues and its stored vector's meaning."""
        vector = self.vectors.get(statement_id)
        return combined_polarity(text, vector, self.embedder.name)

    def theme_inputs(self) -> list[ThemeInput]:
        by_id = {s.id: s for s in self.statements}
        # Polarity is decided per statement, cues and meaning together; the theme's is the
        # way its statements lean, so one theme of plain factual praise is not "mixed".
        scores = {
            s.statement_id: self.polarity(s.statement_id, s.text)
            for t in self.themes.themes
            for s in t.statements
        }
        return [
            ThemeInput(
                label=t.label,
                polarity=lean_polarity(scores[s.statement_id] for s in t.statements),
                reviewers=t.support.authors,
                relationships=t.support.relationships,
                representatives=[self.quote(by_id[r.statement_id]) for r in t.representatives],
                statement_count=t.size,
                source_ids=sorted({s.feedback_id for s in t.statements if s.feedback_id}),
                spans=[
                    Span(
                        source_id=s.feedback_id,
                        start=s.start,
                        end=s.end,
                        polarity=scores[s.statement_id],
                    )
                    for s in t.statements
                    if s.feedback_id
                ],
            )
            for t in self.themes.themes
        ]

    def related(self, text: str, *, peer_only: bool = True, limit: int = 5) -> list[Statement]:
        """Statements about the same thing as `text`, most similar first."""
        pool = [
            s
            for s in self.statements
            if s.id in self.vectors and (not peer_only or s.source_type is SourceType.PEER_FEEDBACK)
        ]
        if not pool:
            return []
        query = embed_private(self.db, self.embedder, [text])[0]
        scores = np.stack([self.vectors[s.id] for s in pool]) @ query
        order = sorted(range(len(pool)), key=lambda i: (-float(scores[i]), str(pool[i].id)))
        return [pool[i] for i in order[:limit] if scores[i] >= RELATED]

    def expectation_inputs(self) -> list[ExpectationInput]:
        rows = self.db.scalars(
            select(Expectation)
            .where(
                Expectation.person_id == self.subject.id, Expectation.period_id == self.period.id
            )
            .order_by(Expectation.position)
        )
        own = {sa.expectation_id: sa for sa in self.self_assessments}
        result = []
        for exp in rows:
            sa = own.get(exp.id)
            result.append(
                ExpectationInput(
                    id=exp.id,
                    position=exp.position,
                    title=exp.title,
                    kind=exp.kind,
                    due_on=exp.due_on,
                    key_steps_done=sum(1 for k in exp.key_steps if k.done),
                    key_steps_total=len(exp.key_steps),
                    done_steps=[k.text for k in exp.key_steps if k.done],
                    self_outcome=sa.outcome if sa else None,
                    self_quote=_whole(sa) if sa else None,
                    peer_comments=[self.quote(s) for s in self.related(exp.title, limit=3)],
                )
            )
        return result

    def self_overall(self) -> Quote | None:
        overall = next((sa for sa in self.self_assessments if sa.expectation_id is None), None)
        return _whole(overall) if overall else None


def _whole(sa: SelfAssessment) -> Quote:
    return Quote(
        source_id=sa.id,
        source_kind=SourceKind.SELF_ASSESSMENT,
        start=0,
        end=len(sa.text),
        text=sa.text,
    )


def synthesis_inputs(
    db: Session, subject: Person, period: ReviewPeriod, embedder: Embedder
) -> SynthesisInputs:
    ctx = _Context(db, subject, period, embedder)
    inputs = SynthesisInputs(
        subject_id=subject.id,
        period=_period(period),
        level=_level(db, subject.level),
        themes=ctx.theme_inputs(),
        feedback=ctx.feedback_items(),
        self_overall=ctx.self_overall(),
        expectations=ctx.expectation_inputs(),
        anonymity_threshold=get_settings().anonymity_threshold,
    )
    return ctx.named(inputs)


def expectation_inputs(
    db: Session,
    subject: Person,
    period: ReviewPeriod,
    embedder: Embedder,
    objectives: list[str],
) -> ExpectationInputs:
    ctx = _Context(db, subject, period, embedder)
    # Peer comments on the current expectations are evidence for the synthesis, not for
    # suggestions, which the engineer reads.
    themes = ctx.theme_inputs()
    threshold = get_settings().anonymity_threshold
    released = [t for t in themes if t.outside_chain >= threshold]
    current = [e.model_copy(update={"peer_comments": []}) for e in ctx.expectation_inputs()]
    # What the engineer will read is computed from released themes only.
    strengths = sum(1 for t in released if t.polarity is Polarity.STRENGTH)
    growth = sum(1 for t in released if t.polarity is Polarity.GROWTH_AREA)
    missed = sum(
        1 for e in current if e.self_outcome is not None and e.self_outcome.value == "missed"
    )
    upcoming = next_period(period)
    inputs = ExpectationInputs(
        subject_id=subject.id,
        next_period=upcoming,
        level=_level(db, subject.level),
        start_date=subject.start_date,
        new_hire=subject.start_date > upcoming.starts_on - timedelta(days=NEW_HIRE_DAYS),
        performing_well=strengths > growth and missed == 0,
        themes=themes,
        current_expectations=current,
        self_assessment=ctx.self_overall(),
        objectives=objectives,
        anonymity_threshold=threshold,
    )
    return ctx.named(inputs)


def checklist_inputs(
    db: Session,
    subject: Person,
    period: ReviewPeriod,
    assessment: TalentAssessment,
    embedder: Embedder,
) -> ChecklistInputs:
    ctx = _Context(db, subject, period, embedder)
    items = [_rating_item(ctx, assessment.level_alignment)]
    items += [
        _item(ctx, ChecklistItemKind.STRENGTH, s, positive=True) for s in assessment.strengths
    ]
    items += [
        _item(ctx, ChecklistItemKind.DEVELOPMENT_NEED, d, positive=False)
        for d in assessment.development_needs
    ]
    inputs = ChecklistInputs(
        subject_id=subject.id,
        period=_period(period),
        level=_level(db, subject.level),
        assessment=AssessmentInput(
            id=assessment.id,
            level_alignment=assessment.level_alignment.value,
            confidence=assessment.confidence.value,
            strengths=list(assessment.strengths),
            development_needs=list(assessment.development_needs),
            recommended_level=assessment.recommended_level,
        ),
        items=items,
        themes=ctx.theme_inputs(),
        feedback=ctx.feedback_items(),
        expectations=ctx.expectation_inputs(),
        colleagues=sorted({fb.relationship.value for fb in ctx.feedback}),
    )
    return ctx.named(inputs)


def _rating_item(ctx: _Context, alignment: LevelAlignment) -> AssessmentItemInput:
    """Evidence for and against the overall rating: theme representatives, for it when they
    point the same way. A growth area does not contradict "meeting" (someone meeting the bar
    still has things to work on); it contradicts "exceeding", as a strength contradicts
    "below"."""
    supporting: list[Quote] = []
    contradicting: list[Quote] = []
    by_id = {s.id: s for s in ctx.statements}
    for theme in ctx.themes.themes:
        praise = theme.polarity is Polarity.STRENGTH
        if theme.polarity is Polarity.MIXED or (alignment is LevelAlignment.MEETING and not praise):
            continue
        agrees = praise != (alignment is LevelAlignment.BELOW)
        quotes = [ctx.quote(by_id[r.statement_id]) for r in theme.representatives[:2]]
        (supporting if agrees else contradicting).extend(quotes)
    return AssessmentItemInput(
        kind=ChecklistItemKind.RATING,
        statement=f"{alignment.value} expectations for their level",
        supporting=supporting,
        contradicting=contradicting,
    )


def _item(
    ctx: _Context, kind: ChecklistItemKind, text: str, *, positive: bool
) -> AssessmentItemInput:
    """Evidence for and against one strength or development need, found by meaning and
    polarity."""
    supporting: list[Quote] = []
    contradicting: list[Quote] = []
    for statement in ctx.related(text, limit=6):
        score = statement_polarity(statement.text)
        agrees = score >= 0 if positive else score <= 0
        (supporting if agrees else contradicting).append(ctx.quote(statement))
    return AssessmentItemInput(
        kind=kind, statement=text, supporting=supporting, contradicting=contradicting
    )


def options_of(draft_options: dict[str, Any]) -> list[str]:
    """Objectives passed with an expectations draft request."""
    return [str(o) for o in draft_options.get("objectives", [])]


def key_step_inputs(db: Session, expectation: Expectation) -> KeyStepInputs:
    """Inputs for key steps on demand: the expectation, the level and the engineer's own
    self-assessment of the period (on this expectation first). Never feedback: the engineer
    reads the suggestion at once, without a manager's review."""
    subject = db.get(Person, expectation.person_id)
    period = db.get(ReviewPeriod, expectation.period_id)
    assert subject is not None and period is not None
    own = {
        sa.expectation_id: sa
        for sa in db.scalars(
            select(SelfAssessment).where(
                SelfAssessment.person_id == subject.id,
                SelfAssessment.period_id == period.id,
                or_(
                    SelfAssessment.expectation_id == expectation.id,
                    SelfAssessment.expectation_id.is_(None),
                ),
            )
        )
    }
    quotes = {key: _whole(sa) for key, sa in own.items()}
    inputs = KeyStepInputs(
        subject_id=subject.id,
        period=_period(period),
        level=_level(db, subject.level),
        expectation=OwnExpectationInput(
            id=expectation.id,
            title=expectation.title,
            description=expectation.description,
            kind=expectation.kind,
            due_on=expectation.due_on,
            key_steps=[k.text for k in expectation.key_steps if not k.done],
            done_steps=[k.text for k in expectation.key_steps if k.done],
        ),
        self_on_expectation=quotes.get(expectation.id),
        self_overall=quotes.get(None),
    )
    texts = [expectation.title, expectation.description, *(q.text for q in quotes.values())]
    texts += [k.text for k in expectation.key_steps]
    return inputs.model_copy(update={"people": people_named_in(db, texts, always=[subject.id])})
