"""Facts about a synthesis that are computed, never drafted: coverage, unused and vague
feedback, and the remarks flagged for the manager.

Applied to every synthesis from every drafter, so these numbers are right whatever the model
wrote (and the model never needs every raw comment in its prompt).
"""

import uuid

from synth.drafting.inputs import SynthesisInputs
from synth.drafting.offline.flagged import flagged_remarks
from synth.drafting.outputs import Citation, Coverage, Synthesis
from synth.text import walk


def cited_sources(synthesis: Synthesis) -> set[uuid.UUID]:
    """Every source id cited as evidence in the synthesis: a flagged remark is shown with its
    flag, not used."""
    evidence = synthesis.model_copy(update={"flagged": []})
    return {c.source_id for _, c in walk(evidence) if isinstance(c, Citation)}


def complete(synthesis: Synthesis, inputs: SynthesisInputs) -> Synthesis:
    """The synthesis with coverage, unused and vague feedback recomputed from its citations,
    and the flagged remarks from the feedback (an edit can neither drop nor invent one)."""
    available = [f.id for f in inputs.feedback]
    cited = cited_sources(synthesis)
    sections = synthesis.strengths + synthesis.growth_areas
    themes_cited = sum(
        1
        for theme in inputs.themes
        if any(
            set(theme.source_ids) & {c.source_id for claim in s.claims for c in claim.citations}
            for s in sections
        )
    )
    return synthesis.model_copy(
        update={
            "vague_feedback_ids": [f.id for f in inputs.feedback if not f.specific],
            "unused_feedback_ids": [i for i in available if i not in cited],
            "coverage": Coverage(
                feedback_available=len(available),
                feedback_used=sum(1 for i in available if i in cited),
                themes_available=len(inputs.themes),
                themes_cited=themes_cited,
            ),
            "flagged": flagged_remarks(inputs.feedback),
        }
    )
