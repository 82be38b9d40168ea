"""`synth eval`: score the drafts on the gold cases, compare with a baseline, gate."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from synth.cli import base
from synth.cli.base import app, fail
from synth.errors import SynthError

if TYPE_CHECKING:
    from synth.evaluation.suite import GateFailure


@app.command("eval")
def evaluate(
    drafter: Annotated[
        str, typer.Option(help='"offline", or a litellm model name (needs its key)')
    ] = "offline",
    cases: Annotated[Path, typer.Option(help="Folder of case files (*.yaml)")] = Path(
        "evals/cases"
    ),
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Only this case id (repeatable)")
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(help="A baseline JSON file or a stored run id [default: evals/baseline.json]"),
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option(help="Write this run's means as the new baseline file")
    ] = None,
    parity: Annotated[
        bool, typer.Option(help="Also run each case with the name and pronouns swapped")
    ] = True,
    judge: Annotated[
        str | None,
        typer.Option(help="Also grade each synthesis with this litellm model (needs its key)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Run the eval suite; exit 1 when a metric is below its floor or regressed."""
    from synth.bootstrap import prepare
    from synth.db.engine import get_engine, session_scope
    from synth.drafting.factory import get_drafter
    from synth.evaluation.cases import load_cases
    from synth.evaluation.suite import (
        BASELINE,
        baseline_json,
        gate,
        load_baseline,
        run_suite,
        save_run,
    )
    from synth.themes.embedders import get_embedder

    try:
        loaded = load_cases(cases, only=case)
        engine = get_engine()
        prepare(engine)
        reference = baseline or (str(BASELINE) if BASELINE.exists() else None)
        against = load_baseline(reference, engine) if reference else None
        extra = []
        if judge is not None:
            from synth.drafting.llm.drafter import validate_model_name
            from synth.evaluation.judge import judge as make_judge

            validate_model_name(judge)
            extra.append(make_judge(judge))
        report = run_suite(
            loaded,
            get_drafter(drafter),
            get_embedder(),
            parity=parity,
            progress=not as_json,
            extra=extra,
        )
        failures = gate(report, against)
        with session_scope(engine) as db:
            stored = save_run(
                db, report, cases_dir=str(cases), failures=failures, baseline=reference
            )
            run_id = stored.id
    except SynthError as exc:
        raise fail(exc) from None
    if write_baseline is not None:
        write_baseline.write_text(baseline_json(report), encoding="utf-8")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "run_id": str(run_id),
                    "drafter": report.drafter,
                    "cases": len(report.results),
                    "summary": report.summary,
                    "baseline": against,
                    "gate": [f.__dict__ for f in failures],
                    "passed": not failures,
                },
                indent=2,
            )
        )
    else:
        _print(report.summary, report.measured, against, failures, len(report.results))
        base.console.print(f"run [cyan]{run_id}[/] stored")
    if failures:
        raise typer.Exit(1)


def _print(
    summary: dict[str, float],
    measured: dict[str, int],
    against: dict[str, float] | None,
    failures: list["GateFailure"],
    cases: int,
) -> None:
    failed = {f.metric: f for f in failures}
    table = Table(title=f"synth eval: {cases} cases", show_lines=False)
    table.add_column("metric", no_wrap=True)
    for column in ("value", "cases", "baseline"):
        table.add_column(column, justify="right")
    table.add_column("gate")
    for name, value in summary.items():
        was = against.get(name) if against else None
        verdict = failed.get(name)
        table.add_row(
            name,
            f"{value:.3f}",
            str(measured.get(name, "")),
            "" if was is None else f"{was:.3f}",
            f"[red]FAIL[/] {verdict.reason}" if verdict else "[green]ok[/]",
        )
    base.console.print(table)
    for failure in failures:
        base.err.print(
            f"[bold red]gate[/] {failure.metric} = {failure.value:.3f}: {failure.reason} "
            f"(limit {failure.limit:.3f})"
        )
