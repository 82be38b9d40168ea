"""`synth themes …`, `synth search` and `synth worker`: the theme engine's CLI face."""

import json
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from synth.auth.principal import Principal
from synth.cli import base
from synth.errors import SynthError
from synth.themes.ingest import IngestReport

themes_app = typer.Typer(help="Theme engine: embed statements, cluster files, show themes.")
base.app.add_typer(themes_app, name="themes")


def _bar(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=base.err,
        transient=False,
    )


@themes_app.command("cluster")
def cluster_file(
    input_file: Annotated[
        Path, typer.Argument(help='JSONL, one {"id": ..., "text": ...} per line')
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSONL of {id, theme}")],
    summary: Annotated[Path | None, typer.Option(help="Write a JSON themes summary here")] = None,
    group_by: Annotated[
        str | None,
        typer.Option(help="Cluster each value of this field separately, in one process"),
    ] = None,
) -> None:
    """Cluster a file of texts into themes (no database needed)."""
    from synth.themes.embedders import get_embedder
    from synth.themes.files import cluster_records, read_records, write_outputs

    try:
        records = read_records(input_file, group_by=group_by)
        with _bar("embedding") as bar:
            task = bar.add_task("embed", total=len(records))
            result = cluster_records(
                records,
                get_embedder(),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                grouped=group_by is not None,
            )
        write_outputs(records, result, output, summary)
    except SynthError as exc:
        raise base.fail(exc) from None
    themes = result.summary["themes"]
    if group_by is not None:
        groups = result.summary["groups"]
        base.console.print(
            f"{len(records)} records in {len(groups)} groups by {group_by}: "
            f"{len(themes)} themes, {result.summary['unthemed']} unthemed -> {output}"
        )
        return
    if summary is None:
        table = Table("theme", "size", "polarity", "label", "representative")
        for theme in themes:
            table.add_row(
                str(theme["theme"]),
                str(theme["size"]),
                theme["polarity"],
                theme["label"],
                theme["representatives"][0] if theme["representatives"] else "",
            )
        base.console.print(table)
    base.console.print(
        f"{len(records)} records, {len(themes)} themes, "
        f"{result.summary['unthemed']} unthemed -> {output}"
    )


@themes_app.command("embed")
def embed() -> None:
    """Split and embed all pending feedback and self-assessments (with a progress bar)."""
    from synth.db.engine import get_engine, session_factory
    from synth.themes.embedders import get_embedder
    from synth.themes.ingest import ingest

    base.run(lambda db: None)  # migrate first
    embedder = get_embedder()
    try:
        with _bar(f"embedding with {embedder.name}") as bar:
            task = bar.add_task("embed", total=None)
            report = ingest(
                session_factory(get_engine()),
                embedder,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except SynthError as exc:
        raise base.fail(exc) from None
    base.console.print(
        f"{report.new_statements} new statements, {report.embedded} embedded, "
        f"{report.pending} pending"
        + (f", {report.dropped} vectors of an older encoding dropped" if report.dropped else "")
    )
    if report.error:
        base.err.print(
            f"[red]embedding failed[/]; pending statements will be retried: {report.error}"
        )
        raise typer.Exit(code=1)


@themes_app.command("show")
def show(
    person: Annotated[str, typer.Option(help="Person id or email")],
    period: Annotated[str, typer.Option(help="Period id or name")],
) -> None:
    """Print the themes in one person's feedback for a period (management view)."""
    from synth.cycles.periods import resolve as resolve_period
    from synth.people.service import resolve as resolve_person
    from synth.themes.embedders import get_embedder
    from synth.themes.service import person_themes

    def act(db: Session) -> None:
        result = person_themes(
            db_session=db,
            principal=Principal.system(),
            person_id=resolve_person(db, person).id,
            period_id=resolve_period(db, period).id,
            embedder=get_embedder(),
        )
        table = Table("theme", "polarity", "authors", "label", "representative statements")
        for theme in result.themes:
            table.add_row(
                str(theme.id),
                theme.polarity.value,
                str(theme.support.authors),
                theme.label,
                "\n".join(f"“{r.text}”" for r in theme.representatives),
            )
        base.console.print(table)
        if result.pending_statements:
            base.err.print(
                f"{result.pending_statements} statements not embedded yet: run synth themes embed"
            )

    base.run(act)


@base.app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Find feedback statements similar to this text")],
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
) -> None:
    """Similar-feedback search over everything (operator view)."""
    from synth.themes.embedders import get_embedder
    from synth.themes.schemas import SearchRequest
    from synth.themes.service import similar

    def act(db: Session) -> None:
        hits = similar(
            db_session=db,
            principal=Principal.system(),
            request=SearchRequest(text=text, limit=limit),
            embedder=get_embedder(),
        )
        table = Table("similarity", "source", "statement")
        for hit in hits:
            table.add_row(
                f"{hit.similarity:.3f}", hit.statement.source_type.value, hit.statement.text
            )
        base.console.print(table)

    try:
        base.run(act)
    except SynthError as exc:
        raise base.fail(exc) from None


def _print_progress(report: IngestReport) -> None:
    if report.embedded:
        base.console.print(json.dumps({"embedded": report.embedded, "pending": report.pending}))


@base.app.command("worker")
def worker(
    poll_seconds: Annotated[float, typer.Option(help="Wake at least this often")] = 5.0,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Drafts generated at once (model calls overlap)")
    ] = 1,
) -> None:
    """Embed new feedback and generate queued drafts; run as many as you like on one database."""
    from synth.db.engine import get_engine
    from synth.drafting.factory import get_drafter
    from synth.themes.embedders import get_embedder
    from synth.workflow.worker import run

    base.run(lambda db: None)  # migrate first
    embedder = get_embedder()
    base.console.print(f"synth worker: embedding with {embedder.name}; Ctrl-C to stop")
    stop = threading.Event()

    def finish_then_stop(signum: int, _frame: FrameType | None) -> None:
        # The first SIGTERM or Ctrl-C lets the drafts in progress finish (docker stop's grace
        # period); a second one stops at once, handing the draft in hand back to the queue.
        if stop.is_set():
            raise SystemExit(128 + signum)
        stop.set()
        base.err.print("synth worker: finishing the drafts in progress; signal again to stop now")

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, finish_then_stop)
    try:
        run(
            get_engine(),
            embedder,
            get_drafter(),
            stop=stop,
            poll_seconds=poll_seconds,
            on_report=_print_progress,
            concurrency=concurrency,
        )
    except KeyboardInterrupt:
        stop.set()
