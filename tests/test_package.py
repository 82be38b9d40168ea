"""The built wheel is a complete synth: prompts, migrations and data files ship inside it,
and an install of it (not the editable checkout) migrates a database and loads prompts."""

import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from synth.db.migrate import MIGRATIONS_DIR
from synth.db.server import process_alive

REPO = Path(__file__).resolve().parents[1]
COMMAND_TIMEOUT_S = 180.0
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INDEX": "1",
}


# Built from the installed wheel: /docs, /redoc and the assets they load answer without a
# database (the engine never connects) and without a network.
DOCS_PROBE = """
import re
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from synth.api.app import create_app
client = TestClient(create_app(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")))
for page in ("/docs", "/redoc"):
    assets = re.findall(r'(?:src|href)="([^"]+)"', client.get(page).text)
    print(page, len(assets), *sorted({client.get(url).status_code for url in assets}))
"""


def _run(args: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command to completion and return its output; fail with that output if it fails."""
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment minus anything that could point back at the checkout or a database."""
    drop = {"PYTHONPATH", "SYNTH_DATABASE_URL", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop} | OFFLINE | extra


def _source_files() -> set[str]:
    return {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "synth").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built offline from a copy of the tree.

    A copy, because building in place reuses ./build, where files deleted from the tree linger
    and would make this test pass for the wrong reason.
    """
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "synth", src / "synth", ignore=shutil.ignore_patterns("__pycache__"))
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    _run([*pip_wheel, "-w", work / "dist", src], cwd=work, env=_clean_env())
    (built,) = (work / "dist").glob("synth-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "pattern",
    [
        "synth/prompts/*/v*.md",
        "synth/migrations/env.py",
        "synth/migrations/script.py.mako",
        "synth/migrations/versions/*.py",
        "synth/**/*.yaml",
    ],
)
def test_wheel_holds_the_package_data(wheel_files: set[str], pattern: str) -> None:
    expected = {p.relative_to(REPO).as_posix() for p in REPO.glob(pattern)}
    assert expected, f"nothing in the tree matches {pattern}"
    assert expected <= wheel_files, f"missing from the wheel: {sorted(expected - wheel_files)}"


def test_wheel_holds_every_file_of_the_package(wheel_files: set[str]) -> None:
    missing = _source_files() - wheel_files
    assert not missing, f"add to [tool.setuptools.package-data]: {sorted(missing)}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh data dir; a postmaster left running on it by a failure is stopped."""
    path = tmp_path / "data"
    yield path
    pid_file = path / "pgdata" / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().split("\n", 1)[0])
        if process_alive(pid):
            os.kill(pid, signal.SIGINT)  # fast shutdown of this test's own server


def test_installed_wheel_migrates_and_loads_prompts_outside_the_repo(
    wheel: Path, tmp_path: Path, data_dir: Path
) -> None:
    venv = tmp_path / "venv"
    # System site-packages hold torch and the rest, so nothing is downloaded; the venv's own
    # site-packages come first, so its synth shadows the editable checkout.
    _run([sys.executable, "-m", "venv", "--system-site-packages", venv], cwd=tmp_path)
    _run(
        [venv / "bin" / "pip", "install", "-q", "--no-deps", wheel], cwd=tmp_path, env=_clean_env()
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env(SYNTH_DATA_DIR=str(data_dir))

    upgraded = _run([venv / "bin" / "synth", "db", "upgrade"], cwd=elsewhere, env=env)
    script = (
        "import synth; from synth.drafting.llm.prompts import load; "
        "print(synth.__file__); print(load('synthesis').ref)"
    )
    probe = _run([venv / "bin" / "python", "-c", script], cwd=elsewhere, env=env)
    docs = _run([venv / "bin" / "python", "-c", DOCS_PROBE], cwd=elsewhere, env=env)

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert f"database at revision {head}" in upgraded
    location, ref = probe.split()
    assert Path(location).is_relative_to(venv), f"synth imported from {location}, not the wheel"
    assert ref.startswith("synthesis@v")
    assert docs.splitlines() == ["/docs 3 200", "/redoc 2 200"], docs  # css, icon, scripts
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "embedded server left running"
