"""Running the guards on a stored draft: who wrote its sources, and the report it keeps.

The guards are pure (synth.guards); this is where they meet the database. A draft is checked
when it is generated, again after every edit, and once more at release, which is refused
while a blocking finding is neither fixed nor overridden (synth.drafting.service).
"""

import uuid
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.config import get_settings
from synth.cycles.models import PeerFeedback, Relationship
from synth.drafting.gate.review import (
    Embed,
    GuardContext,
    GuardReport,
    review,
    sources,
    untrusted_texts,
)
from synth.drafting.inputs import INPUT_TYPES, DraftInputs
from synth.drafting.models import Draft
from synth.drafting.outputs import OUTPUT_TYPES
from synth.evidence import FeedbackItem, PersonName
from synth.guards.anonymity import Reviewer
from synth.guards.two_track import ladder_terms
from synth.people.ladder import list_levels
from synth.people.models import Person
from synth.talent.models import TalentAssessment
from synth.themes.embedders import Embedder
from synth.themes.models import Statement, StatementEmbedding
from synth.themes.private import embed_private, vector_key


def _name(person: Person) -> PersonName:
    return PersonName(id=person.id, name=person.name, email=person.email)


def _authors(
    db_session: Session, inputs: DraftInputs
) -> list[tuple[uuid.UUID, Person, Relationship]]:
    """(feedback id, author, relationship) for every piece of feedback the inputs carry."""
    rows = db_session.execute(
        select(PeerFeedback.id, Person, PeerFeedback.relationship)
        .join(Person, Person.id == PeerFeedback.author_id)
        .where(PeerFeedback.id.in_([item.id for item in sources(inputs)]))
    )
    return [(feedback_id, person, relationship) for feedback_id, person, relationship in rows]


def context(
    db_session: Session, draft: Draft, inputs: DraftInputs, embedder: Embedder | None
) -> GuardContext:
    """The subject, the authors of every source the inputs carry, the subject's talent
    assessments of the period, and the settings."""
    subject_id = draft.subject_id
    reviewers = {
        person.id: Reviewer(
            person=_name(person),
            title=person.title,
            function=person.function.value,
            relationship=relationship.value,
        )
        for _, person, relationship in _authors(db_session, inputs)
    }
    subject = db_session.get(Person, subject_id)
    talent = db_session.scalars(
        select(TalentAssessment).where(
            TalentAssessment.subject_id == subject_id,
            TalentAssessment.period_id == draft.period_id,
        )
    )
    talent_texts = [
        text
        for a in talent
        for text in (*a.strengths, *a.development_needs, a.coaching_plan)
        if text.strip()
    ]
    return GuardContext(
        subject=_name(subject) if subject is not None else None,
        reviewers=sorted(reviewers.values(), key=lambda r: r.person.email),
        anonymity_threshold=get_settings().anonymity_threshold,
        talent_texts=talent_texts,
        ladder=ladder_terms(levels) if (levels := list_levels(db_session)) else None,
        embed=reusing_stored(db_session, draft, embedder) if embedder is not None else None,
    )


def reusing_stored(db_session: Session, draft: Draft, embedder: Embedder) -> Embed:
    """`embedder.embed` as statements are embedded (`embed_private`: names and gendered
    pronouns neutral), but a text that is one of the subject's stored statements of the
    period (most quotes are) takes the vector pgvector already holds for it instead of being
    encoded again: the claim-support check encodes only the draft's own sentences."""
    stored: dict[str, npt.NDArray[np.float32]] | None = None

    def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        nonlocal stored
        if stored is None:
            rows = db_session.execute(
                select(Statement.text, StatementEmbedding.embedding)
                .join(StatementEmbedding, StatementEmbedding.statement_id == Statement.id)
                .where(
                    Statement.subject_id == draft.subject_id,
                    Statement.period_id == draft.period_id,
                    StatementEmbedding.model == vector_key(embedder),
                )
            )
            stored = {text.strip(): np.asarray(vector, dtype=np.float32) for text, vector in rows}
        missing = sorted({t for t in texts if t.strip() not in stored})
        # Encoded as stored statements are (names and pronouns neutral), so a claim and the
        # quote it cites are compared on the same footing.
        fresh: dict[str, npt.NDArray[np.float32]] = (
            dict(zip(missing, embed_private(db_session, embedder, missing), strict=True))
            if missing
            else {}
        )
        out = np.empty((len(texts), embedder.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = fresh[text] if text in fresh else stored[text.strip()]
        return out

    return embed


def inputs_of(draft: Draft) -> DraftInputs:
    """The inputs a draft was made from, as stored with it."""
    assert draft.inputs is not None
    inputs: Any = INPUT_TYPES[draft.kind].model_validate(draft.inputs)
    return cast(DraftInputs, inputs)


def check(
    db_session: Session,
    draft: Draft,
    embedder: Embedder | None,
    *,
    inputs: DraftInputs | None = None,
    guard_context: GuardContext | None = None,
) -> GuardReport:
    """Run every guard on the draft's current content (the edit if there is one)."""
    inputs = inputs if inputs is not None else inputs_of(draft)
    if guard_context is None:
        guard_context = context(db_session, draft, inputs, embedder)
    content = draft.current
    assert content is not None
    output = OUTPUT_TYPES[draft.kind].model_validate(content)
    return review(
        draft.kind,
        output,
        inputs,
        guard_context,
        checked="edited" if draft.edited is not None else "output",
    )


def overridden(draft: Draft) -> list[str]:
    """Every fingerprint a manager has released over, across overrides."""
    return [f for o in (draft.guard_override or {}).get("overrides", []) for f in o["fingerprints"]]


def attribution(db_session: Session, draft: Draft) -> dict[str, dict[str, str]]:
    """Who wrote each piece of feedback the draft rests on, and the handle ("R2") the draft
    calls them by: for the manager's version and the thought partner, never the engineer."""
    if draft.inputs is None:
        return {}
    inputs = inputs_of(draft)
    handles = {
        item.id: item.reviewer for item in untrusted_texts(inputs) if isinstance(item, FeedbackItem)
    }
    return {
        str(feedback_id): {
            "author": person.name,
            "relationship": relationship.value,
            **({"handle": handles[feedback_id]} if feedback_id in handles else {}),
        }
        for feedback_id, person, relationship in _authors(db_session, inputs)
    }
