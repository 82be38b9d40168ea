"""The demo's theme step: embed every statement, then theme each engineer's feedback."""

import uuid
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, select

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.db.engine import session_factory, session_scope
from synth.demo.document import Block, Bullets, Heading, Paragraph, Table
from synth.people.models import Person, Track
from synth.themes.embedders import Embedder, get_embedder
from synth.themes.ingest import ingest
from synth.themes.schemas import OrgThemes, PersonThemes
from synth.themes.service import org_themes, person_themes


@dataclass
class ThemeStep:
    """What the theme engine found: per engineer (manager view) and org-wide (HR view)."""

    statements: int = 0
    people: list[tuple[Person, PersonThemes]] = field(default_factory=list)
    org: OrgThemes | None = None


def run_theme_step(
    engine: Engine, period_id: uuid.UUID, console: Console, embedder: Embedder | None = None
) -> ThemeStep:
    """Embed (with a progress bar) and compute themes as each engineer's manager sees them."""
    embedder = embedder or get_embedder()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"embedding statements with {embedder.name}", total=None)
        report = ingest(
            session_factory(engine),
            embedder,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    step = ThemeStep(statements=report.new_statements)
    with session_scope(engine) as db:
        engineers = db.scalars(
            select(Person)
            .where(Person.track == Track.IC, Person.level.is_not(None))
            .order_by(Person.name)
        ).all()
        for person in engineers:
            if person.manager_id is None:
                continue
            manager = Principal(role=Role.MANAGER, person_id=person.manager_id)
            themes = person_themes(
                db_session=db,
                principal=manager,
                person_id=person.id,
                period_id=period_id,
                embedder=embedder,
            )
            step.people.append((person, themes))
        step.org = org_themes(
            db_session=db, principal=Principal(role=Role.HR), period_id=period_id, embedder=embedder
        )
    return step


def report_blocks(step: ThemeStep, *, detailed: int = 6) -> list[Block]:
    """Report sections: a table for everyone, detail for the first few engineers, HR view."""
    rows = []
    for person, themes in step.people:
        polarities = [t.polarity.value for t in themes.themes]
        rows.append(
            [
                person.name,
                str(len(themes.themes)),
                str(polarities.count("strength")),
                str(polarities.count("growth_area")),
                str(len(themes.unthemed)),
            ]
        )
    blocks: list[Block] = [
        Heading("Themes in peer feedback (manager view)"),
        Paragraph(
            f"{step.statements} statements embedded. A theme needs at least two statements; "
            "✓ marks themes with enough distinct reviewers to be shown to the engineer."
        ),
        Table(["engineer", "themes", "strengths", "growth areas", "unthemed statements"], rows),
    ]
    for person, themes in step.people[:detailed]:
        blocks.append(Heading(person.name, 3))
        blocks.append(
            Bullets(
                [
                    f"{'✓' if t.meets_anonymity_threshold else '·'} {t.label} "
                    f"({t.polarity.value}, {t.support.authors} reviewers, {t.size} statements): "
                    f"“{t.representatives[0].text if t.representatives else ''}”"
                    for t in themes.themes
                ]
            )
        )
    if step.org is not None:
        blocks += [
            Heading(f"Org-wide themes (HR view, at least {step.org.min_authors} reviewers each)"),
            Paragraph(
                f"{len(step.org.themes)} themes shown, {step.org.withheld_themes} withheld for "
                "having too few distinct reviewers. Names are masked."
            ),
            Paragraph("The twelve themes the most reviewers share:"),
            Bullets(
                [
                    f"{t.label} ({t.polarity.value}; {t.authors} reviewers about {t.subjects} "
                    "people)" + (f": “{t.representatives[0]}”" if t.representatives else "")
                    for t in sorted(step.org.themes, key=lambda t: (-t.authors, -t.size))[:12]
                ]
            ),
        ]
    return blocks
