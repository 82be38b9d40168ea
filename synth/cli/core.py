"""Core commands: serve, db, keys, import, ladder, demo."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cli import base
from synth.cli.base import app, fail, run
from synth.errors import SynthError

db_app = typer.Typer(help="Database schema.")
keys_app = typer.Typer(help="API keys.")
import_app = typer.Typer(help="Import people or feedback from CSV or JSON Lines.")
ladder_app = typer.Typer(help="The leveling framework.")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(import_app, name="import")
app.add_typer(ladder_app, name="ladder")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    worker: Annotated[bool, typer.Option(help="Embed new feedback in this process too")] = True,
    demo: Annotated[
        bool,
        typer.Option(help="Serve the database `synth demo` left, with sign-in keys to try"),
    ] = False,
) -> None:
    """Run the HTTP API and the web app (migrates an empty database first)."""
    import uvicorn

    from synth.api.app import create_app
    from synth.bootstrap import prepare
    from synth.db.engine import get_engine
    from synth.demo.browse import demo_engine, demo_keys

    try:
        engine = demo_engine() if demo else get_engine()
        prepare(engine)
        keys = demo_keys(engine) if demo else []
    except SynthError as exc:
        raise fail(exc) from None
    if worker:
        import os

        import torch

        from synth.db.engine import make_engine
        from synth.drafting.factory import get_drafter
        from synth.themes.embedders import get_embedder
        from synth.workflow.worker import start_in_background

        # Requests and embedding share this process: embedding gets half the cores, not all
        # of them, so a burst of feedback to embed does not starve the requests.
        torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
        # A pool of its own: the worker never takes a connection a request is waiting for.
        worker_engine = make_engine(engine.url.render_as_string(hide_password=False))
        background = start_in_background(worker_engine, get_embedder(), get_drafter())
    base.console.print(
        f"synth API on http://{host}:{port}/v1 (docs at /docs, spec at /openapi.json), "
        f"web app on http://{host}:{port}/app"
    )
    if keys:
        table = Table(title="Sign in to the demo at /app/sign-in with one of these keys")
        for column in ("as", "lands on", "API key"):
            table.add_column(column)
        for key in keys:
            table.add_row(key.label, key.page, key.token)
        base.console.print(table)
    app = create_app(engine)
    if worker:
        app.state.worker_health = background.health.snapshot  # merged into /healthz
    try:
        # log_config=None: uvicorn keeps its hands off logging, so its records (access lines
        # included) go through configure_logging's handler like every other.
        uvicorn.run(app, host=host, port=port, log_config=None)
    finally:
        if worker:
            background.shutdown()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations up to the newest revision."""
    from synth.db.engine import get_engine
    from synth.db.migrate import current_revision

    run(lambda db: None)
    base.console.print(f"database at revision {current_revision(get_engine())}")


@keys_app.command("create")
def keys_create(
    role: Annotated[
        Role, typer.Option(help="admin, hr, manager, engineer, thought_partner, service")
    ],
    person: Annotated[
        str | None, typer.Option(help="Person id or email (person-bound roles)")
    ] = None,
    name: Annotated[str, typer.Option(help="A label for the key")] = "",
    expires_in_days: Annotated[int | None, typer.Option(help="Expire after N days")] = None,
) -> None:
    """Create an API key; the key itself is printed alone on the last line."""
    from synth.auth.service import create_key
    from synth.people.service import resolve

    def act(db: Session) -> str:
        person_id = resolve(db, person).id if person else None
        new = create_key(
            db_session=db,
            principal=Principal.system(),
            role=role,
            person_id=person_id,
            name=name,
            expires_in_days=expires_in_days,
        )
        base.err.print(
            f"created {role.value} key {new.key.prefix} (store it now; it is not shown again)"
        )
        return new.token

    print(run(act))


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never their secrets)."""
    from synth.auth.service import list_keys

    def act(db: Session) -> None:
        table = Table("prefix", "role", "person", "name", "created", "expires", "revoked")
        for key in list_keys(db_session=db, principal=Principal.system()):
            table.add_row(
                key.prefix,
                key.role.value,
                str(key.person_id or ""),
                key.name,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.expires_at:%Y-%m-%d}" if key.expires_at else "",
                f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "",
            )
        base.console.print(table)

    run(act)


@keys_app.command("revoke")
def keys_revoke(key: Annotated[str, typer.Argument(help="Key prefix or id")]) -> None:
    """Revoke an API key at once."""
    from synth.auth.service import revoke_key

    run(lambda db: revoke_key(db_session=db, principal=Principal.system(), key_ref=key))
    base.console.print(f"revoked {key}")


@import_app.command("people")
def import_people(file: Annotated[Path, typer.Argument(help=".csv or .jsonl")]) -> None:
    """Import people (email,name,manager_email,level,title,function,track,start_date)."""
    from synth.people.importer import import_people as do_import
    from synth.records import read_rows

    def act(db: Session) -> int:
        return len(do_import(db_session=db, principal=Principal.system(), rows=read_rows(file)))

    base.console.print(f"imported {run(act)} people from {file}")


@import_app.command("feedback")
def import_feedback(
    file: Annotated[Path, typer.Argument(help=".csv or .jsonl")],
    period: Annotated[
        str | None, typer.Option(help="Period id or name for rows without one")
    ] = None,
) -> None:
    """Import peer feedback: every row is checked first; all rows are stored or none."""
    from synth.cycles.feedback import import_rows
    from synth.cycles.schemas import FeedbackImportRow
    from synth.records import read_rows, validate_rows, without_blanks

    def act(db: Session) -> int:
        rows = [without_blanks(r) for r in read_rows(file)]
        for row in rows:
            row.data.setdefault("author", row.data.pop("author_email", None))
            row.data.setdefault("subject", row.data.pop("subject_email", None))
            answers = row.data.get("expectation_answers")
            if isinstance(answers, str):  # a CSV cell holding JSON
                row.data["expectation_answers"] = _json_cell(answers, row.line)
        parsed = validate_rows(rows, FeedbackImportRow)
        stored = import_rows(
            db_session=db,
            principal=Principal.system(),
            rows=parsed,
            default_period=period,
            row_numbers=[r.line for r in rows],
        )
        return len(stored)

    base.console.print(f"imported {run(act)} pieces of feedback from {file}")


def _json_cell(value: str, line: int) -> object:
    import json

    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise SynthError(
            f"line {line}: expectation_answers is not valid JSON ({exc.msg})",
            code="import_rejected",
        ) from exc


@ladder_app.command("load")
def ladder_load(file: Annotated[Path, typer.Argument(help="Ladder YAML")]) -> None:
    """Replace the leveling framework with the one in FILE."""
    from synth.people.ladder import load_ladder, parse_ladder

    def act(db: Session) -> int:
        if not file.is_file():
            raise SynthError(f"{file}: no such file", code="file_not_found")
        spec = parse_ladder(file.read_text(), source=str(file))
        return len(load_ladder(db_session=db, principal=Principal.system(), spec=spec))

    base.console.print(f"loaded {run(act)} levels from {file}")


@ladder_app.command("show")
def ladder_show() -> None:
    """Print the levels of the current ladder."""
    from synth.people.ladder import list_levels

    def act(db: Session) -> None:
        table = Table("key", "name", "track", "rank", "style", "scope")
        for lv in list_levels(db):
            table.add_row(
                lv.key, lv.name, lv.track.value, str(lv.rank), lv.expectation_style, lv.scope
            )
        base.console.print(table)

    run(act)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo report")] = Path("synth-demo"),
) -> None:
    """Run a whole review period on a sample organisation, offline, into a demo database."""
    from synth.demo.runner import run_demo

    try:
        run_demo(out=out, console=base.console)
    except SynthError as exc:
        raise fail(exc) from None
