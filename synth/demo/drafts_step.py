"""The demo's drafting step: every engineer gets a synthesis and expectation suggestions,
every talent assessment an evidence checklist; one team's drafts are approved and released."""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.engine import session_factory, session_scope
from synth.demo.document import Block, Bullets, Heading, Paragraph, Table
from synth.demo.guards_step import GuardStep, guard_blocks, run_guard_step
from synth.demo.period_step import manager_principal
from synth.drafting import service as drafts
from synth.drafting.base import Drafter
from synth.drafting.gate import guarding
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.drafting.schemas import DraftRequest
from synth.errors import SynthError
from synth.people.models import Person, Track
from synth.talent.models import TalentAssessment
from synth.themes.embedders import Embedder
from synth.workflow.jobs import generate_all

OBJECTIVES = [
    "Cut checkout failure rate below 0.5%",
    "Launch mobile offline mode on iOS and Android",
    "Retire the legacy VM fleet by moving every production service onto Harbor",
    "Hold 99.95% monthly availability on customer-facing APIs",
]


@dataclass
class DraftStep:
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    released_team: str = ""
    showcase: dict[str, Any] = field(default_factory=dict)
    guards: GuardStep = field(default_factory=GuardStep)
    held: list[tuple[str, str]] = field(default_factory=list)


def run_draft_step(
    engine: Engine, period_id: uuid.UUID, console: Console, drafter: Drafter, embedder: Embedder
) -> DraftStep:
    """Request, generate, and (for one team) approve and release drafts."""
    step = DraftStep()
    with session_scope(engine) as db:
        engineers = db.scalars(
            select(Person)
            .where(
                Person.track == Track.IC, Person.level.is_not(None), Person.manager_id.is_not(None)
            )
            .order_by(Person.name)
        ).all()
        for person in engineers:
            for kind in (DraftKind.SYNTHESIS, DraftKind.EXPECTATIONS):
                drafts.request(
                    db_session=db,
                    principal=manager_principal(person),
                    data=DraftRequest(
                        kind=kind,
                        subject_id=person.id,
                        period_id=period_id,
                        objectives=OBJECTIVES if kind is DraftKind.EXPECTATIONS else [],
                    ),
                    drafter=drafter.name,
                )
        for assessment in db.scalars(
            select(TalentAssessment).where(TalentAssessment.period_id == period_id)
        ):
            drafts.request(
                db_session=db,
                principal=Principal(role=Role.MANAGER, person_id=assessment.assessor_id),
                data=DraftRequest(
                    kind=DraftKind.CHECKLIST,
                    subject_id=assessment.subject_id,
                    period_id=period_id,
                    assessment_id=assessment.id,
                ),
                drafter=drafter.name,
            )
    with console.status("drafting syntheses, expectations and checklists offline …"):
        generate_all(session_factory(engine), drafter, embedder)
    step.guards = run_guard_step(engine, period_id, embedder)
    with session_scope(engine) as db:
        _release_one_team(db, step, period_id, embedder)
        for kind, status in db.execute(
            select(Draft.kind, Draft.status).where(Draft.period_id == period_id)
        ):
            step.statuses[(kind.value, status.value)] += 1
        _pick_showcase(db, step, period_id)
    return step


def _release_one_team(db: Any, step: DraftStep, period_id: uuid.UUID, embedder: Embedder) -> None:
    """The first team's manager approves and releases their reports' drafts."""
    lead = db.scalars(
        select(Person)
        .where(Person.track == Track.MANAGEMENT, Person.manager_id.is_not(None))
        .order_by(Person.name)
    ).first()
    if lead is None:
        return
    step.released_team = lead.name
    manager = Principal(role=Role.MANAGER, person_id=lead.id)
    reports = select(Person.id).where(Person.manager_id == lead.id)
    ready = db.scalars(
        select(Draft).where(
            Draft.period_id == period_id,
            Draft.subject_id.in_(reports),
            Draft.kind != DraftKind.CHECKLIST,
            Draft.status == DraftStatus.READY_FOR_REVIEW,
        )
    ).all()
    for draft in ready:
        drafts.approve(db_session=db, principal=manager, draft_id=draft.id)
        try:
            with db.begin_nested():
                drafts.release(
                    db_session=db, principal=manager, draft_id=draft.id, embedder=embedder
                )
        except SynthError as exc:  # a blocking guard finding: it waits for the manager
            step.held.append((db.get(Person, draft.subject_id).name, exc.message))


def _pick_showcase(db: Any, step: DraftStep, period_id: uuid.UUID) -> None:
    released = db.scalars(
        select(Draft)
        .where(
            Draft.period_id == period_id,
            Draft.kind == DraftKind.SYNTHESIS,
            Draft.status == DraftStatus.RELEASED,
        )
        .order_by(Draft.created_at)
    ).first()
    if released is not None:
        person = db.get(Person, released.subject_id)
        step.showcase["synthesis"] = (person.name, released.output, released.released)
    for level in ("junior", "senior", "staff"):
        draft = db.scalars(
            select(Draft)
            .join(Person, Person.id == Draft.subject_id)
            .where(
                Draft.period_id == period_id,
                Draft.kind == DraftKind.EXPECTATIONS,
                Person.level == level,
                Draft.output.is_not(None),
            )
            .order_by(Person.name)
        ).first()
        if draft is not None:
            step.showcase[f"expectations:{level}"] = (
                db.get(Person, draft.subject_id).name,
                draft.output,
            )
    syntheses = _drafted(db, period_id, DraftKind.SYNTHESIS, by_name=True)
    flagged = next((d for d in syntheses if (d.edited or d.output or {}).get("flagged")), None)
    if flagged is not None:
        step.showcase["flagged"] = (
            db.get(Person, flagged.subject_id).name,
            (flagged.edited or flagged.output or {})["flagged"],
            guarding.attribution(db, flagged),
            flagged.released,
        )
    checklists = _drafted(db, period_id, DraftKind.CHECKLIST, by_name=False)
    # The checklist with the most to gather: what a thought partner most needs to see.
    checklist = max(
        checklists,
        key=lambda d: sum(i["status"] != "sufficient" for i in (d.output or {})["items"]),
        default=None,
    )
    if checklist is not None:
        step.showcase["checklist"] = (
            db.get(Person, checklist.subject_id).name,
            checklist.output,
            guarding.attribution(db, checklist),
        )


def _sources(claim: dict[str, Any]) -> str:
    """The claim's citations, quoted unless the claim's own text already quotes them."""
    quotes = [c["quote"] for c in claim["citations"] if c["quote"] not in claim["text"]]
    cited = f" [{len(claim['citations'])} cited]"
    return (" " + " ".join(f"“{q}”" for q in quotes) if quotes else "") + cited


def _flagged(flagged: list[dict[str, Any]], authors: dict[str, str] | None = None) -> list[str]:
    """Each flagged remark: the words, what was flagged, why and what to do."""
    return [
        f"“{f['citation']['quote']}” ({', '.join(f['terms'])}"
        + (
            f"; from {authors[f['citation']['source_id']]}"
            if authors and f["citation"]["source_id"] in authors
            else ""
        )
        + f") {f['note']}"
        for f in flagged
    ]


def _shown(section: dict[str, Any]) -> str:
    """A released section's examples, cut to their non-identifying part."""
    examples = section.get("examples", [])
    return (" Examples: " + "; ".join(f"“{e}”" for e in examples)) if examples else ""


def draft_blocks(step: DraftStep) -> list[Block]:
    """Report sections: draft counts, then what a manager, a partner and an engineer see."""
    blocks: list[Block] = [
        Heading("Drafts (offline drafter, behind the approval gate)"),
        Paragraph(
            f"Every engineer got a synthesis and expectation suggestions; every talent "
            f"assessment an evidence checklist. {step.released_team} approved and released "
            "their team's drafts; the rest wait for review. Checklists are never released."
            + (
                f" Held back by a blocking guard finding: {', '.join(n for n, _ in step.held)}."
                if step.held
                else ""
            )
        ),
        Table(
            ["kind", "status", "drafts"],
            [[k, s, str(n)] for (k, s), n in sorted(step.statuses.items())],
        ),
    ]
    if "synthesis" in step.showcase:
        name, output, released = step.showcase["synthesis"]
        blocks += [
            Heading(f"What {name}'s manager sees: the synthesis", 3),
            Paragraph(output["overview"]),
        ]
        for title, key in (("Strengths", "strengths"), ("Growth areas", "growth_areas")):
            items = [
                f"{s['theme']}: {c['text']}" + _sources(c) for s in output[key] for c in s["claims"]
            ]
            blocks += [Paragraph(f"{title}:"), Bullets(items)]
        blocks += [
            Paragraph("Expectations:"),
            Bullets([f"{e['title']}: {e['status']} ({e['note']})" for e in output["expectations"]]),
            Paragraph("Talking points for the 1:1:"),
            Bullets(list(output["talking_points"])),
        ]
        if output.get("flagged"):
            blocks += [Paragraph("Flagged for review:"), Bullets(_flagged(output["flagged"]))]
        blocks += [
            Paragraph(
                f"Coverage: {output['coverage']['feedback_used']} of "
                f"{output['coverage']['feedback_available']} pieces of feedback used; "
                f"{len(output['vague_feedback_ids'])} without concrete examples."
            ),
            Heading(f"What {name} sees after release", 3),
            Paragraph(released["overview"]),
            Bullets(
                [
                    f"Strength, {s['theme']}: {s['summary']}" + _shown(s)
                    for s in released["strengths"]
                ]
                + [
                    f"To grow, {s['theme']}: {s['summary']}" + _shown(s)
                    for s in released["growth_areas"]
                ]
            ),
        ]
    if "flagged" in step.showcase:
        name, flagged, attribution, released = step.showcase["flagged"]
        # The manager's version keeps attribution: the manager is the one to ask the author.
        authors = {
            k: f"{a.get('handle', 'a reviewer')}, {a['author']} ({a['relationship']})"
            for k, a in (attribution or {}).items()
        }
        blocks += [
            Heading(f"Flagged for review in {name}'s synthesis (manager view)", 3),
            Paragraph(
                "Each remark the bias guard flags is shown to the manager with its flag, apart "
                "from the themes: it is never cited as evidence, and the engineer's released "
                "version has no such section"
                + (
                    " (this one is released, and its released version has none)."
                    if released and "flagged" not in released
                    else "."
                )
            ),
            Bullets(_flagged(flagged, authors)),
        ]
    for level in ("junior", "senior", "staff"):
        if f"expectations:{level}" in step.showcase:
            name, output = step.showcase[f"expectations:{level}"]
            blocks.append(Heading(f"Suggested expectations for {name} ({level})", 3))
            for item in output["expectations"]:
                blocks += [
                    Paragraph(f"{item['title']} ({item['kind']}; {item['rationale']})"),
                    Bullets(list(item["key_steps"])),
                ]
    if "checklist" in step.showcase:
        name, output, attribution = step.showcase["checklist"]
        # The thought partner may see who wrote what: the draft's handles resolved to people.
        who = sorted(
            {
                (a["handle"], a["author"], a["relationship"])
                for a in attribution.values()
                if "handle" in a
            },
            key=lambda w: int(w[0][1:]),
        )
        blocks += [
            Heading(f"Evidence checklist for {name}'s assessment (thought partner view)", 3),
            Paragraph(output["summary"]),
            Paragraph(
                "Reviewers, as the thought partner sees them: "
                + "; ".join(f"{h} {author} ({rel.replace('_', ' ')})" for h, author, rel in who)
                + "."
            ),
            Table(
                ["item", "status", "sources", "gather"],
                [
                    [
                        i["statement"],
                        i["status"],
                        str(i["distinct_sources"]),
                        "; ".join(i["gather"]),
                    ]
                    for i in output["items"]
                ],
            ),
        ]
    return blocks + guard_blocks(step.guards)


def _drafted(
    db: Session, period_id: uuid.UUID, kind: DraftKind, *, by_name: bool
) -> Sequence[Draft]:
    """The period's drafts of one kind that have an output, by engineer's name or by age."""
    query = select(Draft).where(
        Draft.period_id == period_id, Draft.kind == kind, Draft.output.is_not(None)
    )
    if by_name:
        query = query.join(Person, Person.id == Draft.subject_id).order_by(Person.name)
    else:
        query = query.order_by(Draft.created_at)
    return db.scalars(query).all()
