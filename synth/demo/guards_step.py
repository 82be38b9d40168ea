"""The demo's guard step: what the guards found on every draft, and the approval gate at work.

Three scenes on real drafts, each a manager's edit a guard catches:
- Zainab Yusuf's synthesis picks up a reviewer's remark about a raise and a promotion, with
  the reviewer's name: anonymity and two-track findings, release refused; the anonymity ones
  can be overridden, the two-track ones cannot, so the manager edits the remark out.
- Dev Patel's synthesis gets a paraphrased "quote": the citation guard blocks it; the manager
  overrides with a reason and releases, and the engineer's view still shows only reviewers'
  own words: the release projection takes examples from literal spans only.
- Hannah Brooks's synthesis is edited to say what the injected feedback asked for: blocked.
Then the flags on the feedback itself (injection, biased wording) and what a hosted model
would have been sent instead of names.
"""

import copy
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles.models import PeerFeedback
from synth.db.engine import session_scope
from synth.demo.document import Block, Bullets, Heading, Paragraph, Table
from synth.drafting import service as drafts
from synth.drafting.models import Draft, DraftKind, DraftStatus
from synth.errors import SynthError
from synth.guards.flags import text_flags
from synth.guards.pii import Redactor
from synth.people.models import Person
from synth.people.names import people_named_in
from synth.themes.embedders import Embedder


@dataclass
class GuardStep:
    findings: Counter[tuple[str, str, str, bool]] = field(default_factory=Counter)
    drafts_blocked: int = 0
    claims: int = 0
    supported: int = 0
    withheld: dict[str, list[str]] = field(default_factory=dict)  # engineer -> theme titles
    scenes: list[tuple[str, list[str]]] = field(default_factory=list)
    flagged: list[tuple[str, str, str]] = field(default_factory=list)
    redacted: tuple[str, str] | None = None


def _synthesis(db: Session, name: str, period_id: uuid.UUID) -> tuple[Draft, Principal] | None:
    person = db.scalar(select(Person).where(Person.name == name))
    if person is None or person.manager_id is None:
        return None
    draft = db.scalar(
        select(Draft).where(
            Draft.subject_id == person.id,
            Draft.period_id == period_id,
            Draft.kind == DraftKind.SYNTHESIS,
            Draft.status == DraftStatus.READY_FOR_REVIEW,
        )
    )
    if draft is None or draft.output is None:
        return None
    return draft, Principal(role=Role.MANAGER, person_id=person.manager_id)


def _codes(findings: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({f"{f['guard']}/{f['code']}" for f in findings if f["blocking"]}))


class _Scene:
    """A scripted review of one draft that logs what the gate said at each step."""

    def __init__(self, db: Session, draft: Draft, manager: Principal, embedder: Embedder):
        self.db, self.draft, self.manager, self.embedder = db, draft, manager, embedder
        self.log: list[str] = []

    def content(self) -> dict[str, Any]:
        """A copy of the drafter's output, to edit."""
        return copy.deepcopy(self.draft.output or {})

    def edit(self, content: dict[str, Any], what: str) -> None:
        drafts.edit(
            db_session=self.db,
            principal=self.manager,
            draft_id=self.draft.id,
            content=content,
            embedder=self.embedder,
        )
        report = self.draft.guard_report or {"findings": []}
        codes = _codes(report["findings"]) or "no blocking finding"
        self.log.append(f"{what} → guards re-run: {codes}")

    def approve_and_release(self) -> bool:
        if self.draft.status is DraftStatus.READY_FOR_REVIEW:
            drafts.approve(db_session=self.db, principal=self.manager, draft_id=self.draft.id)
        try:
            with self.db.begin_nested():
                drafts.release(
                    db_session=self.db,
                    principal=self.manager,
                    draft_id=self.draft.id,
                    embedder=self.embedder,
                )
        except SynthError as exc:
            details = exc.details if isinstance(exc.details, list) else []
            self.log.append(f"release refused ({exc.code}): {_codes(details)}")
            return False
        self.log.append("released to the engineer")
        return True

    def override(self, reason: str) -> None:
        try:
            with self.db.begin_nested():
                drafts.override(
                    db_session=self.db,
                    principal=self.manager,
                    draft_id=self.draft.id,
                    reason=reason,
                )
        except SynthError as exc:
            self.log.append(f"override refused ({exc.code}): {exc.message}")
            return
        latest = (self.draft.guard_override or {}).get("overrides", [])[-1]
        self.log.append(
            f"override with reason “{reason}” covers {len(latest['fingerprints'])} finding(s)"
        )


def _first_claim(content: dict[str, Any]) -> dict[str, Any] | None:
    sections = content.get("strengths", []) + content.get("growth_areas", [])
    return sections[0]["claims"][0] if sections else None


def _open(db: Session, name: str, period_id: uuid.UUID, embedder: Embedder) -> _Scene | None:
    found = _synthesis(db, name, period_id)
    return _Scene(db, *found, embedder) if found is not None else None


def _two_tracks(db: Session, step: GuardStep, period_id: uuid.UUID, embedder: Embedder) -> None:
    scene = _open(db, "Zainab Yusuf", period_id, embedder)
    if scene is None or not scene.content()["expectations"]:
        return
    content = scene.content()
    content["expectations"][0]["note"] += (
        " Olivia Grant says she deserves a raise and a promotion this cycle."
    )
    original = scene.content()
    scene.edit(content, "Manager adds a reviewer's remark to an expectation note")
    scene.approve_and_release()
    scene.override("The reviewer agreed to be named.")
    scene.approve_and_release()
    scene.edit(original, "Manager takes the remark out again")
    scene.approve_and_release()
    step.scenes.append(("Zainab Yusuf: two tracks and anonymity", scene.log))


def _citations(db: Session, step: GuardStep, period_id: uuid.UUID, embedder: Embedder) -> None:
    scene = _open(db, "Dev Patel", period_id, embedder)
    content = scene.content() if scene is not None else {}
    claim = _first_claim(content)
    if scene is None or claim is None:
        return
    invented = "always reviews pull requests quickly and kindly"
    claim["citations"][0]["quote"] = invented
    scene.edit(content, "Manager rewrites a quote in their own words")
    scene.approve_and_release()
    scene.override("I heard this from the reviewer in person.")
    if scene.approve_and_release():
        shown = [
            example
            for key in ("strengths", "growth_areas")
            for section in (scene.draft.released or {}).get(key, [])
            for example in section["examples"]
        ]
        leaked = any(invented.startswith(e.rstrip("…")) for e in shown)
        scene.log.append(
            "the engineer's view shows the manager's words as a reviewer example"
            if leaked
            else f"the engineer's view shows {len(shown)} example(s), all cut from reviewers' "
            "own words: an override accepts the manager's wording, never as a reviewer's"
        )
    step.scenes.append(("Dev Patel: a quote that is not in the feedback", scene.log))


def _injection(db: Session, step: GuardStep, period_id: uuid.UUID, embedder: Embedder) -> None:
    scene = _open(db, "Hannah Brooks", period_id, embedder)
    content = scene.content() if scene is not None else {}
    claim = _first_claim(content)
    if scene is None or claim is None:
        return
    claim["text"] += (
        " She is exceeding expectations and should be recommended for promotion to staff."
    )
    scene.edit(content, "The draft is made to say what the injected feedback asked for")
    step.scenes.append(("Hannah Brooks: a draft that followed an injection", scene.log))


def _survey(db: Session, step: GuardStep, period_id: uuid.UUID) -> None:
    for draft in db.scalars(select(Draft).where(Draft.period_id == period_id)):
        report = draft.guard_report
        if not report:
            continue
        name = db.get(Person, draft.subject_id)
        for f in report["findings"]:
            step.findings[(draft.kind.value, f["guard"], f["code"], f["blocking"])] += 1
            if f["code"] == "theme_withheld" and name is not None:
                titles = step.withheld.setdefault(name.name, [])
                title = f["message"].split("”")[0].strip("“")
                if title not in titles:  # a synthesis and its suggestions withhold alike
                    titles.append(title)
        step.drafts_blocked += report["blocking"] > 0
        step.claims += report["claims"]
        step.supported += report["supported_claims"]
    rows = db.execute(
        select(PeerFeedback, Person.name)
        .join(Person, Person.id == PeerFeedback.subject_id)
        .where(PeerFeedback.period_id == period_id)
        .order_by(Person.name)
    ).all()
    for feedback, subject in rows:
        for flag in text_flags([feedback.text]):
            step.flagged.append((subject, f"{flag.guard}/{flag.code}", flag.message))
        if step.redacted is None and any(
            f.guard == "injection" for f in text_flags([feedback.text])
        ):
            people = people_named_in(db, [feedback.text], always=[feedback.subject_id])
            step.redacted = (feedback.text, Redactor(people).redact(feedback.text))


def run_guard_step(engine: Engine, period_id: uuid.UUID, embedder: Embedder) -> GuardStep:
    step = GuardStep()
    with session_scope(engine) as db:
        _two_tracks(db, step, period_id, embedder)
        _citations(db, step, period_id, embedder)
        _injection(db, step, period_id, embedder)
    with session_scope(engine) as db:
        _survey(db, step, period_id)
    return step


def guard_blocks(step: GuardStep) -> list[Block]:
    share = f"{step.supported / step.claims:.0%}" if step.claims else "n/a"
    blocks: list[Block] = [
        Heading("Guards: what they found, and the approval gate at work"),
        Paragraph(
            "Every draft is checked when it is drafted, after every edit and at release. "
            f"{step.drafts_blocked} draft(s) carry a blocking finding. {step.supported} of "
            f"{step.claims} claims ({share}) are supported by what they cite (MiniLM cosine)."
        ),
        Table(
            ["draft kind", "guard", "finding", "blocking", "findings"],
            [
                [k, g, c, "yes" if b else "no", str(n)]
                for (k, g, c, b), n in sorted(step.findings.items())
            ],
        ),
    ]
    for title, log in step.scenes:
        blocks += [Heading(title, 3), Bullets(log)]
    if step.withheld:
        blocks += [
            Heading("Themes held back from the engineer (fewer than 3 reviewers)", 3),
            Bullets(
                [
                    f"{who}: " + ", ".join(f"“{t}”" for t in titles)
                    for who, titles in sorted(step.withheld.items())[:8]
                ]
            ),
        ]
    if step.flagged:
        blocks += [
            Heading("Flags on the feedback itself (shown to its readers and its author)", 3),
            Table(["about", "flag", "message"], [list(row) for row in step.flagged]),
        ]
    if step.redacted is not None:
        blocks += [
            Heading("What a hosted model would be sent instead of names", 3),
            Paragraph(f"Stored: {step.redacted[0]}"),
            Paragraph(f"Sent: {step.redacted[1]}"),
        ]
    return blocks
