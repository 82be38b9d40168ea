"""Remarks about who someone is rather than what they did, for the manager's eyes only.

Every feedback sentence the bias guard flags ("bossy", "abrasive", "emotional") is listed in
the manager's synthesis with its flag, so the manager sees the remark itself and decides what
to do with it: ask its author for an example of the behaviour and its effect, or set it aside.
It is never evidence (`engineer_safe` keeps it out of every claim) and never reaches the
engineer (the release projection is an allow-list without it). Computed from the feedback,
for every drafter and after every edit (`gate.coverage.complete`), never written by a model.
"""

from collections.abc import Sequence

from synth.drafting.inputs import FeedbackItem
from synth.drafting.offline.text import sentence_around
from synth.drafting.outputs import Citation, FlaggedRemark, SourceKind
from synth.guards.bias import BiasHit, bias_terms
from synth.guards.bias_lexicon import CODED, GENDERED, PERSONALITY

_WHY = {
    PERSONALITY: "describes who they are rather than what they did",
    GENDERED: "uses gendered wording",
    CODED: "uses coded wording (age, origin or fit)",
}
_DO = (
    "ask its author for one example of the behaviour and its effect on the work, or set the "
    "remark aside; it is not evidence and the engineer does not see it"
)


def flagged_remarks(feedback: Sequence[FeedbackItem]) -> list[FlaggedRemark]:
    """One entry per flagged sentence of the feedback, in feedback order."""
    found: list[FlaggedRemark] = []
    for item in feedback:
        by_sentence: dict[tuple[int, int], list[BiasHit]] = {}
        for hit in bias_terms(item.text):
            by_sentence.setdefault(sentence_around(item.text, hit.start, hit.end), []).append(hit)
        for (start, end), hits in by_sentence.items():
            found.append(
                FlaggedRemark(
                    citation=Citation(
                        source_id=item.id,
                        source_kind=SourceKind.PEER_FEEDBACK,
                        quote=item.text[start:end],
                        start=start,
                        end=end,
                    ),
                    terms=list(dict.fromkeys(h.term for h in hits)),
                    note=_note(hits),
                )
            )
    return found


def _note(hits: list[BiasHit]) -> str:
    categories = dict.fromkeys(h.category for h in hits)
    why = [_WHY.get(c, "uses wording about the person") for c in categories]
    return f"Flagged: the remark {' and '.join(why)}. What to do: {_DO}."
