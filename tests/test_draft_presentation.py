"""The draft as the review desk shows it: fields, edits, diffs, cited sources and findings,
on real drafts written by the offline drafter from feedback in PostgreSQL."""

import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles.models import SelfAssessment
from synth.drafting import presentation as p
from synth.drafting import service
from synth.drafting.gate.guarding import overridden
from synth.drafting.gate.review import GuardReport
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.drafting.offline import OfflineDrafter
from synth.drafting.outputs import Synthesis
from synth.drafting.schemas import DraftRequest
from synth.errors import InvalidInput
from synth.evidence import Citation, SourceKind
from synth.themes.ingest import ingest
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.embedders import minilm

FEEDBACK = [
    *f.PRAISE,
    ("teammate", "She flags delays too late, so the launch slip surprised us."),
    ("partner", "Status updates on slipping work come late and surprise the team."),
    ("outsider", "Her ledger schema doc is the best design doc we have this year."),
]
SELF = "I led the ledger migration and my code reviews caught two race conditions."


def manager(o: f.Org) -> Principal:
    return Principal(role=Role.MANAGER, person_id=o.manager.id)


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.reviewed(db, f.org(db), FEEDBACK)
    overall = db.query(SelfAssessment).filter_by(person_id=o.engineer.id).one()
    overall.text = SELF
    db.commit()
    ingest(sessions, minilm())
    return o


def drafted(
    db: Session,
    sessions: sessionmaker[Session],
    o: f.Org,
    kind: DraftKind = DraftKind.SYNTHESIS,
    assessment_id: uuid.UUID | None = None,
) -> Draft:
    """A draft of `kind` requested by the engineer's manager and written offline."""
    data = DraftRequest(
        kind=kind, subject_id=o.engineer.id, period_id=o.period.id, assessment_id=assessment_id
    )
    draft, _ = service.request(db_session=db, principal=manager(o), data=data, drafter="offline")
    db.commit()
    generate_all(sessions, OfflineDrafter(), minilm())
    db.refresh(draft)
    assert draft.status is DraftStatus.READY_FOR_REVIEW, draft.error
    return draft


@pytest.fixture
def synthesis(db: Session, sessions: sessionmaker[Session], org: f.Org) -> Draft:
    return drafted(db, sessions, org)


def content(draft: Draft) -> dict[str, Any]:
    found = draft.edited if draft.edited is not None else draft.output
    assert found is not None
    return found


def test_a_synthesis_reads_overview_first_then_themes_with_their_claims_and_citations(
    synthesis: Draft,
) -> None:
    fields = p.text_fields(DraftKind.SYNTHESIS, content(synthesis))
    assert fields[0].path == "overview" and fields[0].text == content(synthesis)["overview"]
    claims = [x for x in fields if x.path.endswith(".text")]
    assert claims and all(x.citations for x in claims)
    first = content(synthesis)[claims[0].path.split("[")[0]][0]["claims"][0]
    assert claims[0].text == first["text"]
    assert [c.quote for _, c in claims[0].citations] == [c["quote"] for c in first["citations"]]
    assert claims[0].citations[0][0] == claims[0].owner + ".citations[0]"


def test_quotes_ids_and_agreed_titles_are_not_editable_text(synthesis: Draft) -> None:
    fields = p.text_fields(DraftKind.SYNTHESIS, content(synthesis))
    paths = [x.path for x in fields]
    assert len(paths) == len(set(paths))
    assert not [x for x in paths if "quote" in x or "citations" in x or x.endswith("title")]
    quotes = {c.quote for x in fields for _, c in x.citations}
    assert quotes and not quotes & {x.text for x in fields}


def test_an_edit_changes_only_the_fields_named_and_keeps_the_drafts_shape(
    synthesis: Draft,
) -> None:
    before = content(synthesis)
    claim = next(x for x in p.text_fields(DraftKind.SYNTHESIS, before) if x.path.endswith(".text"))
    edits = {"overview": "A steady half.", claim.path: "Reviews catch real defects early."}
    after = p.apply_edits(DraftKind.SYNTHESIS, before, edits)
    Synthesis.model_validate(after)
    was = {x.path: x for x in p.text_fields(DraftKind.SYNTHESIS, before)}
    now = {x.path: x for x in p.text_fields(DraftKind.SYNTHESIS, after)}
    assert {path: x.text for path, x in now.items() if x.text != was[path].text} == edits
    assert [x.citations for x in now.values()] == [x.citations for x in was.values()]


@pytest.mark.parametrize(
    "path",
    ["strengths[0].claims[0].citations[0].quote", "coverage.feedback_used", "nowhere", ""],
)
def test_editing_what_is_not_a_text_field_is_refused(synthesis: Draft, path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        p.apply_edits(DraftKind.SYNTHESIS, content(synthesis), {path: "42"})
    assert refused.value.code == "unknown_field"


def test_the_service_stores_an_edit_made_here_and_the_diff_shows_the_words_changed(
    db: Session, synthesis: Draft, org: f.Org
) -> None:
    model = content(synthesis)
    old = model["overview"]
    new = "Opening line. " + old.replace(old.split()[-1], "indeed.", 1)
    edited = p.apply_edits(DraftKind.SYNTHESIS, model, {"overview": new})
    service.edit(db_session=db, principal=manager(org), draft_id=synthesis.id, content=edited)
    assert synthesis.edited is not None and synthesis.edited["overview"] == new
    [change] = p.diff(DraftKind.SYNTHESIS, synthesis.output or {}, synthesis.edited)
    assert change.path == "overview" and change.label == "Overview"
    kinds = {op for op, _ in change.ops}
    assert kinds == {"equal", "insert", "delete"}
    assert "".join(t for op, t in change.ops if op != "delete") == new
    assert "".join(t for op, t in change.ops if op != "insert") == old
    assert ("insert", "Opening line. ") in change.ops


def test_a_field_only_one_side_has_is_all_inserted_or_deleted() -> None:
    model = {"summary": "Rating holds.", "items": [], "assessment_id": str(uuid.uuid4())}
    edited = {**model, "summary": "Rating holds."}
    assert p.diff(DraftKind.CHECKLIST, model, edited) == []
    assert p.word_diff("", "New words") == (("insert", "New words"),)
    assert p.word_diff("Old words", "") == (("delete", "Old words"),)


def test_every_cited_source_comes_whole_with_each_quote_marked_at_its_offsets(
    db: Session, synthesis: Draft, org: f.Org
) -> None:
    cited = p.cited_sources(db_session=db, principal=manager(org), draft=synthesis)
    citations = p.citations_of(synthesis)
    assert citations and not cited.unreadable
    assert {c.source_id for _, c in citations} == set(cited.sources)
    for path, citation in citations:
        source = cited.of(citation)
        assert source is not None and not source.missing
        [span] = [s for s in source.spans if s.path == path]
        assert span.at_offsets
        marked = [s.text for s in source.segments(path) if s.marked]
        assert marked == [citation.quote]
        assert "".join(s.text for s in source.segments()) == source.text
    handles = {s.handle for s in cited.sources.values() if s.kind is SourceKind.PEER_FEEDBACK}
    assert handles and all(h.startswith("R") and h[1:].isdigit() for h in handles)


def citing(draft: Draft, citation: Citation) -> dict[str, Any]:
    """The draft's content with its first claim citing `citation` instead."""
    edited = content(draft)
    section = edited["strengths"][0] if edited["strengths"] else edited["growth_areas"][0]
    section["claims"][0]["citations"] = [citation.model_dump(mode="json")]
    return edited


def test_a_quote_off_its_offsets_is_found_and_one_not_in_the_source_is_reported(
    db: Session, synthesis: Draft, org: f.Org
) -> None:
    [(_, real), *_] = p.citations_of(synthesis)
    source = p.cited_sources(db_session=db, principal=manager(org), draft=synthesis).of(real)
    assert source is not None
    moved = real.model_copy(update={"start": real.start + 1, "end": real.end + 1})
    synthesis.edited = citing(synthesis, moved)
    [(path, _), *_] = p.citations_of(synthesis)
    span = next(
        s
        for s in p.cited_sources(db_session=db, principal=manager(org), draft=synthesis)
        .sources[real.source_id]
        .spans
        if s.path == path
    )
    assert (span.start, span.end, span.at_offsets) == (real.start, real.end, False)
    invented = real.model_copy(update={"quote": "never said anything like this"})
    synthesis.edited = citing(synthesis, invented)
    again = p.cited_sources(db_session=db, principal=manager(org), draft=synthesis)
    assert (path, "never said anything like this") in again.sources[real.source_id].missing


def test_sources_outside_the_readers_scope_are_listed_without_their_text(
    db: Session, synthesis: Draft, org: f.Org
) -> None:
    other = Principal(role=Role.MANAGER, person_id=org.other_manager.id)
    cited = p.cited_sources(db_session=db, principal=other, draft=synthesis)
    assert not cited.sources
    assert cited.unreadable == {c.source_id for _, c in p.citations_of(synthesis)}


def test_a_self_assessment_quote_is_marked_in_the_self_assessment_under_self(
    db: Session, synthesis: Draft, org: f.Org
) -> None:
    own = db.query(SelfAssessment).filter_by(person_id=org.engineer.id, text=SELF).one()
    quote = "my code reviews caught two race conditions"
    at = SELF.index(quote)
    cite = Citation(
        source_id=own.id,
        source_kind=SourceKind.SELF_ASSESSMENT,
        quote=quote,
        start=at,
        end=at + len(quote),
    )
    synthesis.edited = citing(synthesis, cite)
    source = p.cited_sources(db_session=db, principal=manager(org), draft=synthesis).of(cite)
    assert source is not None and source.handle == "self" and source.relationship is None
    [path] = [at for at, c in p.citations_of(synthesis) if c == cite]
    assert [s.text for s in source.segments(path) if s.marked] == [quote]


def test_findings_sit_beside_the_field_they_concern_and_an_override_closes_them(
    db: Session, synthesis: Draft, org: f.Org
) -> None:
    fields = p.text_fields(DraftKind.SYNTHESIS, content(synthesis))
    claim = next(x for x in fields if x.path.endswith(".text"))
    real = claim.citations[0][1]
    edited = p.apply_edits(
        DraftKind.SYNTHESIS, content(synthesis), {"overview": "A bossy but able half."}
    )
    edited = {**edited}
    section = edited["strengths"][0] if edited["strengths"] else edited["growth_areas"][0]
    section["claims"][0]["citations"][0]["quote"] = real.quote + " and more"
    service.edit(db_session=db, principal=manager(org), draft_id=synthesis.id, content=edited)
    fields = p.text_fields(DraftKind.SYNTHESIS, content(synthesis))
    placed = p.findings_at(synthesis.guard_report, fields=fields)
    [bossy] = [x for x in placed.beside("overview") if x.finding.guard == "bias"]
    assert bossy.severity == "warning" and "bossy" in bossy.problem and bossy.suggestion
    mismatch = [x.finding for x in placed.beside(claim.path) if x.finding.code == "quote_mismatch"]
    assert mismatch and mismatch[0].path == claim.owner + ".citations[0]"
    by_path = p.findings_at(synthesis.guard_report)
    assert mismatch[0] in [x.finding for x in by_path.beside(claim.owner + ".citations[0]")]
    report = GuardReport.model_validate(synthesis.guard_report)
    assert mismatch[0] in report.findings and mismatch[0].blocking
    service.override(
        db_session=db,
        principal=manager(org),
        draft_id=synthesis.id,
        reason="The longer quote is in a later message",
        fingerprints=[mismatch[0].fingerprint],
    )
    after = p.findings_at(synthesis.guard_report, overridden=overridden(synthesis), fields=fields)
    assert not [x for x in after.beside(claim.path) if x.finding.code == "quote_mismatch"]
    assert "bias" in {x.finding.guard for x in after.beside("overview")}


def test_expectation_suggestions_edit_titles_smart_parts_and_key_steps_not_their_source(
    db: Session, sessions: sessionmaker[Session], org: f.Org
) -> None:
    draft = drafted(db, sessions, org, DraftKind.EXPECTATIONS)
    fields = p.text_fields(DraftKind.EXPECTATIONS, content(draft))
    paths = {x.path for x in fields}
    first = content(draft)["expectations"][0]
    assert {"expectations[0].title", "expectations[0].smart.time_bound"} <= paths
    assert {f"expectations[0].key_steps[{j}]" for j in range(len(first["key_steps"]))} <= paths
    assert "expectations[0].source" not in paths and "style" not in paths
    edited = p.apply_edits(
        DraftKind.EXPECTATIONS, content(draft), {"expectations[0].key_steps[0]": "Pair weekly."}
    )
    assert edited["expectations"][0]["key_steps"][0] == "Pair weekly."


def test_a_checklist_edits_its_summary_and_what_to_gather_never_the_assessments_words(
    db: Session, sessions: sessionmaker[Session], org: f.Org
) -> None:
    assessment = f.assessment(db, org.engineer, org.manager, org.period, partner=org.partner)
    db.commit()
    draft = drafted(db, sessions, org, DraftKind.CHECKLIST, assessment.id)
    fields = p.text_fields(DraftKind.CHECKLIST, content(draft))
    assert fields[0].path == "summary"
    assert all(x.path == "summary" or ".gather[" in x.path for x in fields)
    statements = {item["statement"] for item in content(draft)["items"]}
    assert not statements & {x.text for x in fields}
    partner = Principal(role=Role.THOUGHT_PARTNER, person_id=org.partner.id)
    cited = p.cited_sources(db_session=db, principal=partner, draft=draft)
    assert cited.sources and set(cited.sources) == {c.source_id for _, c in p.citations_of(draft)}
