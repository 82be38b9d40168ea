"""Facts about a synthesis that are computed, never drafted: coverage, unused and vague feedback.

Applied to every synthesis from every drafter, so these numbers are right whatever the model
wrote (and the model never needs every raw comment in its prompt).
"""

import uuid

from synth.drafting.inputs import SynthesisInputs
from synth.drafting.outputs import Citation, Coverage, Synthesis
from synth.text import walk


def cited_sources(synthesis: Synthesis) -> set[uuid.UUID]:
    """Every source id cited anywhere in the synthesis."""
    return {c.source_id for _, c in walk(synthesis) if isinstance(c, Citation)}


def complete(synthesis: Synthesis, inputs: SynthesisInputs) -> Synthesis:
    """The synthesis with coverage, unused and vague feedback recomputed from its citations."""
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
        }
    )
