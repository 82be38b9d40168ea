"""The citation guard: every quote is a literal span of a source of this engineer and period.

Inputs are gathered for one engineer and one period, so "a source of this engineer and
period" means a source present in the drafter's inputs:

- peer feedback: a `FeedbackItem`, whose full text is known; the quote must equal
  `text[start:end]`;
- self-assessment (and any source known only through excerpts): the `Quote`s the gatherer
  built; the cited span must lie inside one of them and match its words at the same offsets.

Anything else is `unknown_source`; a quote that is not the text at its offsets is
`quote_mismatch`; a kind that disagrees with the source is `source_kind_mismatch`. All three
block release.

Support, without a model: a claim that shares no content word (stopwords dropped, words
compared on their first five letters, so "debugger" meets "debugging") with the quotes it cites
is `claim_unsupported`, a warning only. It catches a claim pinned to an unrelated quote, not a
subtle misreading; embedding similarity or an entailment model can replace it later.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from synth.evidence import Citation, Claim, FeedbackItem, Quote, SourceKind
from synth.guards.findings import Finding
from synth.text import STOPWORDS, walk

GUARD = "citations"
UNKNOWN_SOURCE = "unknown_source"
QUOTE_MISMATCH = "quote_mismatch"
SOURCE_KIND_MISMATCH = "source_kind_mismatch"
CLAIM_UNSUPPORTED = "claim_unsupported"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STEM = 5


@dataclass(frozen=True)
class _Sources:
    texts: dict[uuid.UUID, str]
    kinds: dict[uuid.UUID, SourceKind]
    spans: dict[uuid.UUID, list[Quote]]


def _sources(inputs: BaseModel) -> _Sources:
    texts: dict[uuid.UUID, str] = {}
    kinds: dict[uuid.UUID, SourceKind] = {}
    spans: dict[uuid.UUID, list[Quote]] = {}
    for _, node in walk(inputs):
        if isinstance(node, FeedbackItem):
            texts[node.id] = node.text
            kinds[node.id] = SourceKind.PEER_FEEDBACK
        elif isinstance(node, Quote) and node.end - node.start == len(node.text):
            spans.setdefault(node.source_id, []).append(node)
            kinds.setdefault(node.source_id, node.source_kind)
    return _Sources(texts, kinds, spans)


def _in_spans(citation: Citation, quotes: list[Quote]) -> bool:
    for q in quotes:
        if q.start <= citation.start and citation.end <= q.end:
            if q.text[citation.start - q.start : citation.end - q.start] == citation.quote:
                return True
    return False


def _located(citation: Citation, sources: _Sources) -> int | None:
    """Where the quote really is in its source, if it is there at all."""
    text = sources.texts.get(citation.source_id)
    if text is not None:
        found = text.find(citation.quote)
        return found if found >= 0 else None
    for q in sources.spans.get(citation.source_id, []):
        found = q.text.find(citation.quote)
        if found >= 0:
            return q.start + found
    return None


def _check(citation: Citation, path: str, sources: _Sources) -> list[Finding]:
    sid = citation.source_id

    def finding(code: str, message: str) -> Finding:
        return Finding(
            guard=GUARD, code=code, blocking=True, message=message, path=path, source_id=sid
        )

    if sid not in sources.kinds:
        return [finding(UNKNOWN_SOURCE, f"cites {sid}, which is not feedback of this period")]
    found: list[Finding] = []
    if citation.source_kind is not sources.kinds[sid]:
        found.append(
            finding(
                SOURCE_KIND_MISMATCH,
                f"cited as {citation.source_kind.value}, but the source is "
                f"{sources.kinds[sid].value}",
            )
        )
    text = sources.texts.get(sid)
    exact = (
        citation.end > citation.start and text[citation.start : citation.end] == citation.quote
        if text is not None
        else _in_spans(citation, sources.spans.get(sid, []))
    )
    if not exact:
        at = _located(citation, sources)
        where = f"[{citation.start}:{citation.end}]"
        message = (
            f"the quote is in the source at [{at}:{at + len(citation.quote)}], not at {where}"
            if at is not None
            else f"the quote is not a literal span of the source (expected at {where})"
        )
        found.append(finding(QUOTE_MISMATCH, message))
    return found


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning, cut to their first five letters."""
    words = (w.lower().replace("’", "'") for w in _WORD.findall(text))
    return {w[:_STEM] for w in words if w not in STOPWORDS and len(w) >= 3}


def supported(claim: Claim) -> bool:
    """Does the claim share at least one content word with the quotes it cites?"""
    quoted = set().union(*(content_words(c.quote) for c in claim.citations))
    return bool(content_words(claim.text) & quoted)


def claims(output: BaseModel) -> Iterator[tuple[str, Claim]]:
    """Every claim of a draft, with its path."""
    for path, node in walk(output):
        if isinstance(node, Claim):
            yield path, node


def supported_share(output: BaseModel) -> float | None:
    """The share of claims supported by what they cite; None when the draft has no claims."""
    verdicts = [supported(claim) for _, claim in claims(output)]
    return sum(verdicts) / len(verdicts) if verdicts else None


def check_quotes(output: BaseModel, inputs: BaseModel) -> list[Finding]:
    """Blocking findings for every citation of `output` (any drafter output) that is not a
    literal span of a source in `inputs` (the inputs it was drafted from)."""
    sources = _sources(inputs)
    return [
        finding
        for path, node in walk(output)
        if isinstance(node, Citation)
        for finding in _check(node, path, sources)
    ]


def check_citations(output: BaseModel, inputs: BaseModel) -> list[Finding]:
    """`check_quotes`, then a warning per claim that shares no word with its quotes (the
    support check without a model; `synth.drafting.gate.review` checks support by meaning)."""
    found = check_quotes(output, inputs)
    for path, claim in claims(output):
        if not supported(claim):
            found.append(
                Finding(
                    guard=GUARD,
                    code=CLAIM_UNSUPPORTED,
                    blocking=False,
                    message="the claim shares no content word with the quotes it cites",
                    path=path,
                    source_id=claim.citations[0].source_id,
                )
            )
    return found
