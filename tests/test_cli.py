"""The `synth` command run for real against a database of its own on the test server.

The CLI finds its database through SYNTH_DATABASE_URL and opens its own connections, so
everything a test sets up beforehand is committed in that database, not rolled back.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from synth import cli
from synth.auth.principal import Principal
from synth.auth.service import authenticate
from synth.bootstrap import prepare
from synth.cli import base as cli_base
from synth.config import get_settings
from synth.cycles.models import PeerFeedback, PeriodStatus
from synth.db.engine import get_engine, make_engine
from synth.db.migrate import current_revision, head_revision
from synth.errors import Unauthorized
from synth.people import service as people
from synth.people.ladder import DEFAULT_LADDER, parse_ladder
from synth.people.models import Function, Level, Person, Track
from synth.people.schemas import PersonCreate
from tests import factories

CLI_DATABASE = "synth_cli"
REPO_ROOT = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r"^synth_([0-9a-f]{12})_\S+$")
PEOPLE_HEADER = "email,name,manager_email,level,title,function,track,start_date"
PERIOD = "H2 2026"
DEFAULT_IC_LEVELS = ["junior", "mid", "senior", "staff", "principal"]

runner = CliRunner()


# ----------------------------------------------------------------------------- helpers


def synth(*args: str) -> Result:
    """Run `synth ARGS` in-process, as a user would type it."""
    return runner.invoke(cli.app, list(args))


def describe(result: Result) -> str:
    return (
        f"exit {result.exit_code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}\n"
        f"--- exception {result.exception!r}"
    )


def ok(*args: str) -> Result:
    result = synth(*args)
    assert result.exit_code == 0, describe(result)
    return result


def refused(*args: str) -> Result:
    """Run a command that must be refused cleanly: exit code 2, no traceback."""
    result = synth(*args)
    assert result.exit_code == 2, describe(result)
    assert result.exception is None or isinstance(result.exception, SystemExit), describe(result)
    return result


def reported(result: Result) -> set[tuple[str, str]]:
    """(row, code) pairs of the per-row error table the CLI prints."""
    pairs: set[tuple[str, str]] = set()
    for line in result.stderr.splitlines():
        cells = [c.strip() for c in re.split(r"[│|]", line)]
        if len(cells) >= 5 and cells[1] and cells[2] and cells[1] != "row/field":
            pairs.add((cells[1], cells[2]))
    return pairs


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def people_by_email(engine: Engine) -> dict[str, Person]:
    with Session(engine) as s:
        return {p.email: p for p in s.scalars(select(Person))}


def level_keys(engine: Engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Level.key)))


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def jsonl(path: Path, *rows: dict[str, Any]) -> Path:
    return write(path, *(json.dumps(r) for r in rows))


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty database the CLI is pointed at; yields an engine of the test's own on it."""
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{CLI_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{CLI_DATABASE}"'))
    url = engine.url.set(database=CLI_DATABASE).render_as_string(hide_password=False)
    monkeypatch.setenv("SYNTH_DATABASE_URL", url)
    # A wide terminal, so tables are not wrapped mid-word.
    monkeypatch.setattr(cli_base, "console", Console(width=200))
    monkeypatch.setattr(cli_base, "err", Console(stderr=True, width=200))
    get_settings.cache_clear()
    get_engine.cache_clear()
    own = make_engine(url)
    try:
        yield own
    finally:
        own.dispose()
        if get_engine.cache_info().currsize:
            get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{CLI_DATABASE}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrated(cli_db: Engine) -> Engine:
    """The CLI database at head with the default ladder, as after a first command."""
    prepare(cli_db)
    return cli_db


@pytest.fixture
def team(migrated: Engine) -> Engine:
    """Committed people (a director, a manager, two engineers, a PM) and a period in review."""
    with Session(migrated) as s:
        for email, name, manager, level, function, track in [
            ("dana@example.test", "Dana Director", None, "director", "engineering", "management"),
            ("maya@example.test", "Maya Manager", "dana@example.test", "em", "engineering",
             "management"),
            ("eli@example.test", "Eli Engineer", "maya@example.test", "mid", "engineering", "ic"),
            ("tara@example.test", "Tara Teammate", "maya@example.test", "senior", "engineering",
             "ic"),
            ("pia@example.test", "Pia Product", "maya@example.test", None, "product", "ic"),
        ]:  # fmt: skip
            people.create(
                db_session=s,
                principal=Principal.system(),
                data=PersonCreate(
                    email=email,
                    name=name,
                    manager=manager,
                    level=level,
                    function=Function(function),
                    track=Track(track),
                    start_date=date(2022, 1, 10),
                ),
            )
            s.flush()
        factories.period(s, status=PeriodStatus.IN_REVIEW, name=PERIOD)
        s.commit()
    return migrated


# A small org in file order that puts reports before their managers.
PEOPLE_ROWS: list[dict[str, Any]] = [
    {
        "email": "eli@example.test",
        "name": "Eli Engineer",
        "manager_email": "maya@example.test",
        "level": "mid",
        "title": "Engineer",
        "function": "engineering",
        "track": "ic",
        "start_date": "2023-03-01",
    },
    {
        "email": "maya@example.test",
        "name": "Maya Manager",
        "manager_email": "dana@example.test",
        "level": "em",
        "title": "Engineering Manager",
        "function": "engineering",
        "track": "management",
        "start_date": "2021-06-07",
    },
    {
        "email": "dana@example.test",
        "name": "Dana Director",
        "manager_email": None,
        "level": "director",
        "title": "Director of Engineering",
        "function": "engineering",
        "track": "management",
        "start_date": "2019-04-15",
    },
    {
        "email": "tara@example.test",
        "name": "Tara Teammate",
        "manager_email": "maya@example.test",
        "level": "senior",
        "title": "Senior Engineer",
        "function": "engineering",
        "track": "ic",
        "start_date": "2022-01-10",
    },
]


def people_csv(path: Path) -> Path:
    fields = PEOPLE_HEADER.split(",")
    return write(path, PEOPLE_HEADER, *(",".join(r[f] or "" for f in fields) for r in PEOPLE_ROWS))


def assert_org_imported(engine: Engine) -> None:
    found = people_by_email(engine)
    assert set(found) == {r["email"] for r in PEOPLE_ROWS}
    assert found["eli@example.test"].manager_id == found["maya@example.test"].id
    assert found["tara@example.test"].manager_id == found["maya@example.test"].id
    assert found["maya@example.test"].manager_id == found["dana@example.test"].id
    assert found["dana@example.test"].manager_id is None
    assert found["eli@example.test"].level == "mid"
    assert found["maya@example.test"].track is Track.MANAGEMENT


# ----------------------------------------------------------------------------- db upgrade


def test_db_upgrade_migrates_an_empty_database_to_head(cli_db: Engine) -> None:
    assert current_revision(cli_db) is None
    result = ok("db", "upgrade")
    head = head_revision(cli_db)
    assert current_revision(cli_db) == head
    assert f"database at revision {head}" in result.stdout


def test_db_upgrade_twice_changes_nothing(cli_db: Engine) -> None:
    ok("db", "upgrade")
    levels = count(cli_db, Level)
    ok("db", "upgrade")
    assert current_revision(cli_db) == head_revision(cli_db)
    assert count(cli_db, Level) == levels


def test_first_use_loads_the_default_ladder(cli_db: Engine) -> None:
    ok("db", "upgrade")
    shown = ok("ladder", "show").stdout
    positions = [shown.find(f" {key} ") for key in DEFAULT_IC_LEVELS]
    assert all(p >= 0 for p in positions), shown
    assert positions == sorted(positions), "IC levels are listed junior to principal"
    default = parse_ladder(DEFAULT_LADDER.read_text())
    assert level_keys(cli_db) == {lv.key for lv in default.levels}


# ----------------------------------------------------------------------------- keys


def test_created_admin_key_is_alone_on_the_last_line_and_authenticates(cli_db: Engine) -> None:
    result = ok("keys", "create", "--role", "admin", "--name", "ops laptop")
    token = result.stdout.splitlines()[-1]
    assert TOKEN.match(token), describe(result)
    with Session(cli_db) as s:
        principal = authenticate(db_session=s, token=token)
    assert principal.is_admin
    assert principal.person_id is None


def test_engineer_key_without_a_person_is_refused(cli_db: Engine) -> None:
    result = refused("keys", "create", "--role", "engineer")
    assert "person_required" in result.output
    assert not TOKEN.search(result.stdout)


def test_engineer_key_is_bound_to_a_person_named_by_email(cli_db: Engine, tmp_path: Path) -> None:
    ok("import", "people", str(people_csv(tmp_path / "people.csv")))
    token = ok("keys", "create", "--role", "engineer", "--person", "Eli@Example.test")
    token_line = token.stdout.splitlines()[-1]
    eli = people_by_email(cli_db)["eli@example.test"]
    with Session(cli_db) as s:
        principal = authenticate(db_session=s, token=token_line)
    assert principal.role.value == "engineer"
    assert principal.person_id == eli.id


def test_key_list_shows_the_prefix_but_never_the_secret(cli_db: Engine) -> None:
    token = ok("keys", "create", "--role", "hr").stdout.splitlines()[-1]
    match = TOKEN.match(token)
    assert match, token
    prefix = match.group(1)
    secret = token.split("_", 2)[2]
    listing = ok("keys", "list")
    assert prefix in listing.stdout
    assert "hr" in listing.stdout
    assert secret not in listing.output
    assert token not in listing.output


def test_revoked_key_no_longer_authenticates(cli_db: Engine) -> None:
    token = ok("keys", "create", "--role", "service").stdout.splitlines()[-1]
    prefix = token.split("_")[1]
    result = ok("keys", "revoke", prefix)
    assert f"revoked {prefix}" in result.stdout
    with Session(cli_db) as s, pytest.raises(Unauthorized) as caught:
        authenticate(db_session=s, token=token)
    assert caught.value.code == "revoked_api_key"


def test_revoking_an_unknown_key_names_the_error_code(cli_db: Engine) -> None:
    result = refused("keys", "revoke", "0123456789ab")
    assert "api_key_not_found" in result.output


# ----------------------------------------------------------------------------- import people


def test_import_people_from_csv_with_reports_before_managers(
    cli_db: Engine, tmp_path: Path
) -> None:
    path = people_csv(tmp_path / "people.csv")
    result = ok("import", "people", str(path))
    assert "imported 4 people" in result.stdout
    assert_org_imported(cli_db)


def test_import_people_from_jsonl_with_reports_before_managers(
    cli_db: Engine, tmp_path: Path
) -> None:
    path = jsonl(tmp_path / "people.jsonl", *PEOPLE_ROWS)
    result = ok("import", "people", str(path))
    assert "imported 4 people" in result.stdout
    assert_org_imported(cli_db)


def _row(
    email: str, name: str = "Someone", manager: str = "", level: str = "mid", start: str = ""
) -> str:
    return f"{email},{name},{manager},{level},Engineer,engineering,ic,{start or '2024-01-08'}"


BOSS = _row("boss@example.test", "Bo Boss", level="em")

BAD_PEOPLE_FILES = {
    "a row missing a required field": (
        "people.csv",
        [PEOPLE_HEADER, BOSS, "ann@example.test,,boss@example.test,mid,Engineer,engineering,ic,"],
        {("3", "invalid_row")},
    ),
    "an unknown level": (
        "people.csv",
        [
            PEOPLE_HEADER,
            BOSS,
            _row("ann@example.test", "Ann", "boss@example.test", level="wizard"),
            _row("ben@example.test", "Ben", "boss@example.test"),
        ],
        {("3", "unknown_level")},
    ),
    "an email repeated inside the file": (
        "people.csv",
        [
            PEOPLE_HEADER,
            BOSS,
            _row("ann@example.test", "Ann", "boss@example.test"),
            _row("ANN@example.test", "Ann Again", "boss@example.test"),
        ],
        {("4", "duplicate_person")},
    ),
    "managers forming a cycle": (
        "people.csv",
        [
            PEOPLE_HEADER,
            BOSS,
            _row("ann@example.test", "Ann", "ben@example.test"),
            _row("ben@example.test", "Ben", "ann@example.test"),
        ],
        {("3", "org_cycle"), ("4", "org_cycle")},
    ),
    "an invalid JSON line": (
        "people.jsonl",
        [
            json.dumps(PEOPLE_ROWS[2]),
            json.dumps(PEOPLE_ROWS[1]),
            '{"email": "ann@example.test", "name": ',
            json.dumps(PEOPLE_ROWS[3]),
        ],
        {("3", "malformed_json")},
    ),
}


@pytest.mark.parametrize(
    ("filename", "lines", "expected"), BAD_PEOPLE_FILES.values(), ids=BAD_PEOPLE_FILES.keys()
)
def test_a_bad_people_file_is_rejected_whole_and_names_the_row(
    migrated: Engine,
    tmp_path: Path,
    filename: str,
    lines: list[str],
    expected: set[tuple[str, str]],
) -> None:
    path = write(tmp_path / filename, *lines)
    result = refused("import", "people", str(path))
    assert expected <= reported(result), describe(result)
    assert count(migrated, Person) == 0


@pytest.mark.parametrize("filename", ["people.csv", "people.jsonl"])
def test_an_empty_people_file_is_rejected(migrated: Engine, tmp_path: Path, filename: str) -> None:
    path = write(tmp_path / filename)
    result = refused("import", "people", str(path))
    assert "empty_file" in result.output
    assert count(migrated, Person) == 0


def test_a_people_file_with_an_existing_email_imports_no_one(
    migrated: Engine, tmp_path: Path
) -> None:
    ok("import", "people", str(people_csv(tmp_path / "people.csv")))
    before = count(migrated, Person)
    path = write(
        tmp_path / "more.csv",
        PEOPLE_HEADER,
        _row("new.hire@example.test", "New Hire", "maya@example.test"),
        _row("tara@example.test", "Tara Again", "maya@example.test"),
    )
    result = refused("import", "people", str(path))
    assert ("3", "duplicate_person") in reported(result), describe(result)
    assert count(migrated, Person) == before
    assert "new.hire@example.test" not in people_by_email(migrated)


# ----------------------------------------------------------------------------- import feedback


def fb(author: str, subject: str, relationship: str, words: str) -> dict[str, Any]:
    return {
        "author_email": f"{author}@example.test",
        "subject_email": f"{subject}@example.test",
        "relationship": relationship,
        "text": f"{words} on the payments retry service this half.",
        "role_fit": None,
        "growth_potential": None,
        "expectation_answers": [],
    }


GOOD_FEEDBACK = [
    fb("tara", "eli", "peer", "Careful code reviews"),
    fb("maya", "eli", "manager", "Steady delivery"),
    fb("pia", "eli", "cross_functional", "Clear explanations of trade-offs"),
    fb("eli", "tara", "peer", "Patient pairing"),
]


def feedback_count(engine: Engine) -> int:
    return count(engine, PeerFeedback)


def test_import_feedback_stores_every_row(team: Engine, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "feedback.jsonl", *GOOD_FEEDBACK)
    result = ok("import", "feedback", str(path), "--period", PERIOD)
    assert "imported 4 pieces of feedback" in result.stdout
    found = people_by_email(team)
    with Session(team) as s:
        stored = list(s.scalars(select(PeerFeedback)))
    assert len(stored) == 4
    assert {(f.author_id, f.subject_id) for f in stored} == {
        (found[f"{a}@example.test"].id, found[f"{b}@example.test"].id)
        for a, b in [("tara", "eli"), ("maya", "eli"), ("pia", "eli"), ("eli", "tara")]
    }


def test_import_feedback_from_csv_with_empty_optional_cells(team: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path / "feedback.csv",
        "author_email,subject_email,relationship,text,role_fit,growth_potential,expectation_answers",
        "tara@example.test,eli@example.test,peer,Careful code reviews on the ledger,,,",
        'maya@example.test,eli@example.test,manager,Steady delivery all half,Solid mid,,"[]"',
    )
    result = ok("import", "feedback", str(path), "--period", PERIOD)
    assert "imported 2 pieces of feedback" in result.stdout
    assert feedback_count(team) == 2


BAD_FEEDBACK_FILES = {
    "feedback about oneself": (
        [GOOD_FEEDBACK[0], fb("eli", "eli", "peer", "I did well"), GOOD_FEEDBACK[1]],
        ("2", "self_feedback"),
    ),
    "an unknown subject": (
        [GOOD_FEEDBACK[0], GOOD_FEEDBACK[1], fb("tara", "nobody", "peer", "Good work")],
        ("3", "unknown_person"),
    ),
    "the same row twice": (
        [GOOD_FEEDBACK[0], GOOD_FEEDBACK[1], GOOD_FEEDBACK[0]],
        ("3", "duplicate_feedback"),
    ),
}


@pytest.mark.parametrize(
    ("rows", "expected"), BAD_FEEDBACK_FILES.values(), ids=BAD_FEEDBACK_FILES.keys()
)
def test_a_feedback_file_with_one_bad_row_imports_nothing(
    team: Engine, tmp_path: Path, rows: list[dict[str, Any]], expected: tuple[str, str]
) -> None:
    path = jsonl(tmp_path / "feedback.jsonl", *rows)
    result = refused("import", "feedback", str(path), "--period", PERIOD)
    assert expected in reported(result), describe(result)
    assert "nothing was imported" in result.output
    assert feedback_count(team) == 0


# ----------------------------------------------------------------------------- ladder

CUSTOM_LADDER = """\
name: "Tiny ladder"
competencies:
  - key: craft
    name: Craft
  - key: teamwork
    name: Teamwork
levels:
  - key: apprentice
    name: Apprentice
    track: ic
    rank: 1
    expectation_style: activity
    expectations:
      craft: ["Ships small changes with tests."]
      teamwork: ["Asks for review early."]
  - key: journeyman
    name: Journeyman
    track: ic
    rank: 2
    expectation_style: ownership
    expectations:
      craft: ["Owns a feature end to end."]
{teamwork}
"""


def test_loading_a_ladder_with_a_level_missing_a_competency_is_refused(
    migrated: Engine, tmp_path: Path
) -> None:
    before = level_keys(migrated)
    path = tmp_path / "ladder.yaml"
    path.write_text(CUSTOM_LADDER.format(teamwork=""))
    result = refused("ladder", "load", str(path))
    assert "invalid_ladder" in result.output
    assert "journeyman lacks expectations for teamwork" in result.output
    assert level_keys(migrated) == before


def test_loading_a_valid_ladder_replaces_the_levels(migrated: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ladder.yaml"
    path.write_text(CUSTOM_LADDER.format(teamwork='      teamwork: ["Mentors a new joiner."]'))
    result = ok("ladder", "load", str(path))
    assert "loaded 2 levels" in result.stdout
    assert level_keys(migrated) == {"apprentice", "journeyman"}
    shown = ok("ladder", "show").stdout
    assert "apprentice" in shown and "journeyman" in shown
    assert not any(f" {key} " in shown for key in DEFAULT_IC_LEVELS)


# ----------------------------------------------------------------------------- processes

CHECK_SCHEMA = """
from sqlalchemy import text
from synth.db.engine import get_engine
from synth.db.migrate import current_revision, head_revision
engine = get_engine()
with engine.connect() as conn:
    levels = conn.scalar(text("SELECT count(*) FROM levels"))
print(current_revision(engine) == head_revision(engine), levels)
"""


def test_two_processes_upgrading_one_data_dir_at_once_both_succeed(tmp_path: Path) -> None:
    """Both share one embedded server and the schema ends at head with one ladder."""
    env = {k: v for k, v in os.environ.items() if k != "SYNTH_DATABASE_URL"}
    env["SYNTH_DATA_DIR"] = str(tmp_path / "data")
    upgrade = [sys.executable, "-c", "from synth.cli import app; app()", "db", "upgrade"]
    procs = [
        subprocess.Popen(
            upgrade, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs: list[tuple[int, str]] = []
    try:
        for proc in procs:
            out, errs = proc.communicate(timeout=120)
            outputs.append((proc.returncode, (out + errs).decode(errors="replace")))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for code, output in outputs:
        assert code == 0, output
        assert "database at revision" in output
    check = subprocess.run(
        [sys.executable, "-c", CHECK_SCHEMA],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    default = parse_ladder(DEFAULT_LADDER.read_text())
    assert check.stdout.split() == ["True", str(len(default.levels))]
