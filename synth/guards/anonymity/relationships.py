"""Who said it: sentences that say which relationships gave the feedback.

Released text gives how many reviewers, never who: "including their management chain" or
"peers and a cross-functional partner raise ..." tells the engineer which relationships said
what. `relationships_stated` finds such a sentence in a describing field, and
`without_relationships` drops it from what the engineer reads.
"""

import re

from synth.guards.anonymity import GUARD
from synth.guards.anonymity.phrases import SAYS
from synth.guards.findings import Finding

# Fields that describe what reviewers said (not the engineer's own instructions: key steps may
# well say "ask two peers for a review").
_DESCRIBING = frozenset({"theme", "summary", "overview", "note", "rationale", "relevant", "source"})
_GROUP = (
    r"(?:management\s+chain|(?:line\s+|engineering\s+|direct\s+)?managers?"
    r"|skip[\s-]?levels?(?:\s+managers?)?|directors?|peers?|cross[\s-]functional(?:\s+[\w-]+)?"
    r"|(?:direct\s+)?reports|(?:people|someone)\s+(?:they|you|he|she)\s+manages?"
    r"|(?:product|design|data|analytics)\s+(?:partners?|side|colleagues?|team))"
)
_REVIEWERISH = re.compile(
    rf"\b(?:reviewers?|feedback|raised?|raises|name[sd]?|agree[sd]?|{SAYS})\b", re.IGNORECASE
)
_WHO_SAID = [
    # "Three reviewers, including their management chain, raise ..."
    re.compile(
        rf"\b(?:including|incl\.|among\s+them|from|across|both|spanning)\s+(?:[\w-]+\s+){{0,3}}?"
        rf"{_GROUP}\b",
        re.IGNORECASE,
    ),
    # "peers and their management chain", "a peer, a cross-functional partner and ..."
    re.compile(
        rf"\b{_GROUP}\b(?:\s+[\w-]+){{0,2}}?\s*(?:,|and|&)\s+(?:[\w-]+\s+){{0,2}}?{_GROUP}\b",
        re.IGNORECASE,
    ),
    # "cross-functional partners describe ...", "peers say ..."
    re.compile(
        rf"\b{_GROUP}\b(?:\s+[\w'’-]+){{0,3}}?\s+(?:raise[sd]?|name[sd]?|agree[sd]?|{SAYS})\b",
        re.IGNORECASE,
    ),
]
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _states_relationship(sentence: str) -> str | None:
    if not _REVIEWERISH.search(sentence):
        return None
    for pattern in _WHO_SAID:
        hit = pattern.search(sentence)
        if hit is not None:
            return hit.group(0)
    return None


def without_relationships(text: str) -> str:
    """`text` without the sentences that say which relationships said what: what the
    engineer reads never carries them, whatever an override accepted."""
    kept = [s for s in _SENTENCE.findall(text) if _states_relationship(s) is None]
    return "".join(kept).strip()


def relationships_stated(text: str, path: str) -> list[Finding]:
    """A describing field that says which relationships said what ("including their
    management chain", "peers and a cross-functional partner raise ..."): released text
    gives how many reviewers, never who."""
    if path.rpartition(".")[2].split("[")[0] not in _DESCRIBING:
        return []
    for sentence in _SENTENCE.findall(text):
        said = _states_relationship(sentence)
        if said is not None:
            return [
                Finding(
                    guard=GUARD,
                    code="relationship_stated",
                    blocking=True,
                    message=f"says who gave the feedback ({said!r}): say how many reviewers, "
                    "never which relationships; the engineer's version drops the sentence",
                    path=path,
                )
            ]
    return []
