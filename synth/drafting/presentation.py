"""A draft as the manager's review desk shows it: its text fields, edits, diffs, sources, findings.

- `text_fields`: every field a person wrote (or may rewrite) in reading order, with the path
  the guards use for it ("strengths[0].claims[1].text") and the citations behind it. Quotes,
  ids, statements copied from a talent assessment and agreed titles are not fields: they are
  evidence or someone else's words.
- `apply_edits`: the content with some fields rewritten, still of the draft's shape (the
  service's `edit` stores it and runs the guards again).
- `diff`: word by word, what the manager changed in the model's text.
- `cited_sources`: each source a draft cites, in full, with the quoted spans marked.
- `findings_at`: the open guard findings placed beside the field they concern.

Pure presentation over the stored draft: no rule of the approval gate lives here.
"""

import difflib
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.cycles.feedback import readable_feedback
from synth.cycles.models import PeerFeedback, ReviewPeriod, SelfAssessment
from synth.cycles.self_assessments import readable_self_assessments
from synth.drafting import service
from synth.drafting.gate.guarding import inputs_of
from synth.drafting.gate.review import GuardReport
from synth.drafting.models import Draft, DraftKind
from synth.drafting.outputs import OUTPUT_TYPES
from synth.errors import InvalidInput
from synth.evidence import Citation, FeedbackItem, Quote, SourceKind
from synth.guards.findings import Finding
from synth.people.models import Person
from synth.text import join, walk

SMART_PARTS = ("specific", "measurable", "achievable", "relevant", "time_bound")


@dataclass(frozen=True)
class TextField:
    """One editable text of a draft. `owner` is what the text describes (a claim, a theme
    section, a suggestion): findings about the owner are shown beside its first field."""

    path: str
    label: str
    text: str
    owner: str
    citations: tuple[tuple[str, Citation], ...] = ()

    @property
    def anchors(self) -> tuple[str, ...]:
        """Paths whose findings belong beside this field."""
        return (self.path, self.owner, *(path for path, _ in self.citations))


def with_names(query: Select[Draft]) -> Select[Draft, str, str]:
    """`query` with the engineer's and the period's names beside each draft."""
    return (
        query.join(Person, Person.id == Draft.subject_id)
        .join(ReviewPeriod, ReviewPeriod.id == Draft.period_id)
        .add_columns(Person.name, ReviewPeriod.name)
    )


def names(db_session: Session, draft: Draft) -> tuple[str, str]:
    """The engineer's and the period's names for one draft (read once the draft is visible)."""
    subject, period = db_session.execute(
        select(Person.name, ReviewPeriod.name)
        .join(ReviewPeriod, ReviewPeriod.id == draft.period_id)
        .where(Person.id == draft.subject_id)
    ).one()
    return subject, period


def _cited(item: Mapping[str, Any], path: str, key: str = "citations") -> tuple[Any, ...]:
    return tuple(
        (join(join(path, key), k), Citation.model_validate(c))
        for k, c in enumerate(item.get(key) or [])
    )


def _sections(content: Mapping[str, Any], key: str, name: str) -> Iterator[TextField]:
    for i, section in enumerate(content.get(key) or []):
        at = join(key, i)
        yield TextField(join(at, "theme"), f"{name} {i + 1}: theme", section["theme"], at)
        yield TextField(join(at, "summary"), f"{name} {i + 1}: summary", section["summary"], at)
        for j, claim in enumerate(section.get("claims") or []):
            owner = join(join(at, "claims"), j)
            yield TextField(
                join(owner, "text"),
                f"{name} {i + 1}: claim {j + 1}",
                claim["text"],
                owner,
                _cited(claim, owner),
            )


def _synthesis(content: Mapping[str, Any]) -> Iterator[TextField]:
    yield TextField("overview", "Overview", content["overview"], "overview")
    yield from _sections(content, "strengths", "Strength")
    yield from _sections(content, "growth_areas", "Growth area")
    for i, evidence in enumerate(content.get("expectations") or []):
        at = join("expectations", i)
        label = f"Expectation “{evidence['title']}”: note"
        yield TextField(join(at, "note"), label, evidence["note"], at, _cited(evidence, at))
    for i, pair in enumerate(content.get("self_vs_peers") or []):
        at = join("self_vs_peers", i)
        yield TextField(join(at, "topic"), f"Self vs peers {i + 1}: topic", pair["topic"], at)
        label = f"Self vs peers {i + 1}: note"
        yield TextField(join(at, "note"), label, pair["note"], at, _cited(pair, at))
    for i, point in enumerate(content.get("talking_points") or []):
        at = join("talking_points", i)
        yield TextField(at, f"Talking point {i + 1}", point, at)


def _suggestions(content: Mapping[str, Any]) -> Iterator[TextField]:
    for i, suggestion in enumerate(content.get("expectations") or []):
        at = join("expectations", i)
        name = f"Expectation {i + 1}"
        yield TextField(join(at, "title"), f"{name}: title", suggestion["title"], at)
        yield TextField(join(at, "rationale"), f"{name}: rationale", suggestion["rationale"], at)
        smart = suggestion.get("smart") or {}
        for part in SMART_PARTS:
            label = f"{name}: {part.replace('_', '-')}"
            yield TextField(join(join(at, "smart"), part), label, smart[part], at)
        for j, step in enumerate(suggestion.get("key_steps") or []):
            step_at = join(join(at, "key_steps"), j)
            yield TextField(step_at, f"{name}: key step {j + 1}", step, step_at)


def _checklist(content: Mapping[str, Any]) -> Iterator[TextField]:
    yield TextField("summary", "Summary", content["summary"], "summary")
    for i, item in enumerate(content.get("items") or []):
        for j, line in enumerate(item.get("gather") or []):
            at = join(join(join("items", i), "gather"), j)
            yield TextField(at, f"Item {i + 1}: gather {j + 1}", line, at)


_FIELDS = {
    DraftKind.SYNTHESIS: _synthesis,
    DraftKind.EXPECTATIONS: _suggestions,
    DraftKind.CHECKLIST: _checklist,
}


def text_fields(kind: DraftKind, content: Mapping[str, Any]) -> list[TextField]:
    """Every human-written text of a draft's content, in reading order."""
    return list(_FIELDS[kind](content))


# --- edits ------------------------------------------------------------------------------------

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def _keys(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _STEP.findall(path)]


def apply_edits(
    kind: DraftKind, content: Mapping[str, Any], edits: Mapping[str, str]
) -> dict[str, Any]:
    """`content` with the text at each path of `edits` replaced; refused (422) for a path that
    is not a text field, or when the result no longer has the draft kind's shape."""
    editable = {f.path for f in text_fields(kind, content)}
    unknown = sorted(set(edits) - editable)
    if unknown:
        raise InvalidInput(
            "not a text field of this draft: " + ", ".join(unknown[:5]), code="unknown_field"
        )
    edited = OUTPUT_TYPES[kind].model_validate(content).model_dump(mode="json")
    for path, text in edits.items():
        *parents, last = _keys(path)
        node: Any = edited
        for key in parents:
            node = node[key]
        node[last] = text
    try:
        return OUTPUT_TYPES[kind].model_validate(edited).model_dump(mode="json")
    except ValidationError as exc:
        raise InvalidInput(
            "the edited draft does not have the draft's shape",
            code="invalid_draft_content",
            details=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc


# --- diff -------------------------------------------------------------------------------------

Op = Literal["equal", "insert", "delete"]
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldDiff:
    """One changed field: the model's text turned into the edited text, word by word."""

    path: str
    label: str
    ops: tuple[tuple[Op, str], ...]


def word_diff(before: str, after: str) -> tuple[tuple[Op, str], ...]:
    """Word-level operations that turn `before` into `after` (spaces are tokens too, so the
    equal and inserted parts read back as the edited text)."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    ops: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(b[j1:j2])))
    return tuple(ops)


def diff(kind: DraftKind, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldDiff]:
    """The fields whose text differs between `before` (the model's) and `after` (the edit), in
    the edit's reading order; a field only one side has is all inserted or all deleted."""
    old = {f.path: f for f in text_fields(kind, before)}
    new = {f.path: f for f in text_fields(kind, after)}
    changed: list[FieldDiff] = []
    for path in [*new, *(p for p in old if p not in new)]:
        was, now = old.get(path), new.get(path)
        if was is not None and now is not None and was.text == now.text:
            continue
        label = (now or was).label  # type: ignore[union-attr]
        changed.append(
            FieldDiff(path, label, word_diff(was.text if was else "", now.text if now else ""))
        )
    return changed


# --- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


@dataclass(frozen=True)
class Span:
    """Where a citation's quote is in its source: at its offsets, or found elsewhere."""

    path: str
    start: int
    end: int
    at_offsets: bool


@dataclass(frozen=True)
class CitedSource:
    """A source a draft cites, in full, with where each citation quotes it. `handle` is the
    name the draft calls its reviewer by ("R2"; "self" for the self-assessment). `missing`
    lists the citations (path, quote) whose quote is nowhere in the text."""

    id: uuid.UUID
    kind: SourceKind
    text: str
    handle: str
    relationship: str | None
    spans: tuple[Span, ...]
    missing: tuple[tuple[str, str], ...]

    def segments(self, path: str | None = None) -> list[Segment]:
        """The text cut at the quoted spans, marked: all of them, or the one cited at `path`."""
        spans = [s for s in self.spans if path is None or s.path == path]
        marked = [False] * len(self.text)
        for s in spans:
            marked[s.start : s.end] = [True] * (s.end - s.start)
        cuts: list[Segment] = []
        start = 0
        for i in range(1, len(self.text) + 1):
            if i == len(self.text) or marked[i] != marked[start]:
                cuts.append(Segment(self.text[start:i], marked[start]))
                start = i
        return cuts


@dataclass(frozen=True)
class CitedSources:
    """The sources of one draft the reader may read, by id; `unreadable` are cited sources
    outside the reader's scope (shown as such, never their text)."""

    sources: dict[uuid.UUID, CitedSource]
    unreadable: frozenset[uuid.UUID] = field(default_factory=frozenset)

    def of(self, citation: Citation) -> CitedSource | None:
        return self.sources.get(citation.source_id)


def citations_of(draft: Draft) -> list[tuple[str, Citation]]:
    """Every citation in the draft's current content (the edit if any), with its path."""
    content = draft.current
    if content is None:
        return []
    output = OUTPUT_TYPES[draft.kind].model_validate(content)
    return [(path, node) for path, node in walk(output) if isinstance(node, Citation)]


def locate(text: str, path: str, citation: Citation) -> Span | None:
    """The citation's span in `text`: at its offsets when the quote is there, else the
    occurrence nearest to them; None when the quote is not in the text at all."""
    if citation.quote and text[citation.start : citation.end] == citation.quote:
        return Span(path, citation.start, citation.end, at_offsets=True)
    found = (
        [m.start() for m in re.finditer(re.escape(citation.quote), text)] if citation.quote else []
    )
    if not found:
        return None
    at = min(found, key=lambda i: abs(i - citation.start))
    return Span(path, at, at + len(citation.quote), at_offsets=False)


def _handles(draft: Draft) -> dict[uuid.UUID, str]:
    """The handle ("R2") the draft's inputs call each reviewer by, as `attribution` does."""
    if draft.inputs is None:
        return {}
    found: dict[uuid.UUID, str] = {}
    for _, node in walk(inputs_of(draft)):
        if isinstance(node, FeedbackItem):
            found[node.id] = node.reviewer
        elif isinstance(node, Quote) and node.reviewer is not None:
            found.setdefault(node.source_id, node.reviewer)
    return found


def cited_sources(*, db_session: Session, principal: Principal, draft: Draft) -> CitedSources:
    """Each source the draft cites that the reader may read (the feedback and self-assessment
    scopes decide), in full, with the quoted spans located; one query per kind of source."""
    cited = citations_of(draft)
    ids = {kind: {c.source_id for _, c in cited if c.source_kind is kind} for kind in SourceKind}
    texts: dict[uuid.UUID, tuple[SourceKind, str, str | None]] = {}
    if ids[SourceKind.PEER_FEEDBACK]:
        feedback = readable_feedback(principal).where(
            PeerFeedback.id.in_(ids[SourceKind.PEER_FEEDBACK])
        )
        for fb in db_session.scalars(feedback):
            texts[fb.id] = (SourceKind.PEER_FEEDBACK, fb.text, fb.relationship.value)
    if ids[SourceKind.SELF_ASSESSMENT]:
        own = readable_self_assessments(principal).where(
            SelfAssessment.id.in_(ids[SourceKind.SELF_ASSESSMENT])
        )
        for sa in db_session.scalars(own):
            texts[sa.id] = (SourceKind.SELF_ASSESSMENT, sa.text, None)
    handles = {} if service.is_engineer_view(principal, draft) else _handles(draft)
    sources: dict[uuid.UUID, CitedSource] = {}
    for source_id, (kind, text, relationship) in texts.items():
        mine = [(path, c) for path, c in cited if c.source_id == source_id]
        located = [(path, c, locate(text, path, c)) for path, c in mine]
        fallback = "self" if kind is SourceKind.SELF_ASSESSMENT else "reviewer"
        sources[source_id] = CitedSource(
            id=source_id,
            kind=kind,
            text=text,
            handle=handles.get(source_id, fallback),
            relationship=relationship,
            spans=tuple(span for _, _, span in located if span is not None),
            missing=tuple((path, c.quote) for path, c, span in located if span is None),
        )
    every = {c.source_id for _, c in cited}
    return CitedSources(sources, frozenset(every - set(sources)))


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A finding as the desk shows it: how severe, what is wrong and what to do instead.
    The guards write their advice after the last ": " of a message ("… "bossy": describe
    the behaviour"); a message without one is all problem."""

    finding: Finding

    @property
    def severity(self) -> Literal["blocking", "warning"]:
        return "blocking" if self.finding.blocking else "warning"

    @property
    def problem(self) -> str:
        return self.finding.message.rpartition(": ")[0] or self.finding.message

    @property
    def suggestion(self) -> str | None:
        head, _, advice = self.finding.message.rpartition(": ")
        return advice if head else None


@dataclass(frozen=True)
class FindingsAt:
    """Open findings by the field they are shown beside; `elsewhere` has no field to go to
    (a finding about a source, or about the draft as a whole)."""

    at: dict[str, list[Shown]]
    elsewhere: list[Shown]

    def beside(self, path: str) -> list[Shown]:
        return self.at.get(path, [])


def _within(path: str, anchor: str) -> bool:
    return path == anchor or (path.startswith(anchor) and path[len(anchor)] in ".[")


def findings_at(
    report: GuardReport | Mapping[str, Any] | None,
    *,
    overridden: Iterable[str] = (),
    fields: Iterable[TextField] = (),
) -> FindingsAt:
    """The report's findings a manager has not overridden, each beside the field whose
    anchors hold the most specific prefix of its path (the first such field in reading order);
    with no `fields`, grouped by their own path."""
    if report is None:
        return FindingsAt({}, [])
    if not isinstance(report, GuardReport):
        report = GuardReport.model_validate(report)
    covered = set(overridden)
    findings = [f for f in report.findings if not (f.overridable and f.fingerprint in covered)]
    anchors = [(anchor, f.path) for f in fields for anchor in f.anchors]
    at: dict[str, list[Shown]] = {}
    elsewhere: list[Shown] = []
    for finding in findings:
        shown = Shown(finding)
        if finding.path is None:
            elsewhere.append(shown)
            continue
        if not anchors:
            at.setdefault(finding.path, []).append(shown)
            continue
        fits = [(len(a), -i, p) for i, (a, p) in enumerate(anchors) if _within(finding.path, a)]
        if not fits:
            elsewhere.append(shown)
            continue
        at.setdefault(max(fits)[2], []).append(shown)
    return FindingsAt(at, elsewhere)
