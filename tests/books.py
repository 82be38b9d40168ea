"""Drafter inputs built by hand: sources by id, and quotes cut from them at real offsets."""

import uuid
from collections.abc import Sequence
from datetime import date

from synth.cycles.models import Relationship
from synth.drafting.inputs import (
    ExpectationInput,
    FeedbackItem,
    LevelInput,
    PeriodInput,
    Quote,
    Span,
    SynthesisInputs,
    ThemeInput,
)
from synth.drafting.outputs import Citation, SourceKind
from synth.drafting.specificity import is_specific
from synth.themes.polarity import Polarity

PERIOD = PeriodInput(name="2026 H2", starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))
SENIOR = LevelInput(key="senior", name="Senior Engineer", track="ic", style="outcome", scope="team")


class Book:
    """Sources by id: feedback and self-assessments, and quotes cut from them."""

    def __init__(self) -> None:
        self.texts: dict[uuid.UUID, str] = {}
        self.items: list[FeedbackItem] = []
        self.handles: dict[uuid.UUID, str] = {}

    def feedback(
        self,
        reviewer: str,
        relationship: Relationship,
        text: str,
        *,
        specific: bool | None = None,
    ) -> uuid.UUID:
        fid = uuid.uuid5(uuid.NAMESPACE_URL, f"feedback/{reviewer}/{text}")
        self.texts[fid] = text
        self.handles[fid] = reviewer
        self.items.append(
            FeedbackItem(
                id=fid,
                reviewer=reviewer,
                relationship=relationship,
                specific=is_specific(text) if specific is None else specific,
                text=text,
            )
        )
        return fid

    def self_assessment(self, text: str) -> uuid.UUID:
        sid = uuid.uuid5(uuid.NAMESPACE_URL, f"self/{text}")
        self.texts[sid] = text
        return sid

    def quote(self, source: uuid.UUID, fragment: str | None = None) -> Quote:
        text = self.texts[source]
        fragment = text if fragment is None else fragment
        start = text.index(fragment)
        peer = source in self.handles
        return Quote(
            source_id=source,
            source_kind=SourceKind.PEER_FEEDBACK if peer else SourceKind.SELF_ASSESSMENT,
            start=start,
            end=start + len(fragment),
            text=fragment,
            reviewer=self.handles.get(source),
        )

    def theme(
        self, label: str, polarity: Polarity, quotes: list[Quote], *, statements: int = 0
    ) -> ThemeInput:
        sources = sorted({q.source_id for q in quotes}, key=str)
        relationships: dict[str, int] = {}
        for item in self.items:
            if item.id in sources:
                key = item.relationship.value
                relationships[key] = relationships.get(key, 0) + 1
        return ThemeInput(
            label=label,
            polarity=polarity,
            reviewers=len({self.handles[s] for s in sources}),
            relationships=relationships,
            representatives=quotes[:3],
            statement_count=statements or len(quotes),
            source_ids=sources,
            spans=[Span(source_id=q.source_id, start=q.start, end=q.end) for q in quotes],
        )

    def assert_verbatim(self, citations: list[Citation]) -> None:
        assert citations
        for c in citations:
            assert self.texts[c.source_id][c.start : c.end] == c.quote, c

    def synthesis(
        self,
        themes: Sequence[ThemeInput] = (),
        expectations: Sequence[ExpectationInput] = (),
        *,
        threshold: int = 3,
    ) -> SynthesisInputs:
        """Synthesis inputs over every source in the book."""
        return SynthesisInputs(
            subject_id=uuid.uuid5(uuid.NAMESPACE_URL, "subject"),
            period=PERIOD,
            level=SENIOR,
            themes=list(themes),
            feedback=self.items,
            self_overall=None,
            expectations=list(expectations),
            anonymity_threshold=threshold,
        )
