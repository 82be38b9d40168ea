"""The layering rules hold: guards are pure checks at the bottom, bottom modules import nothing.

Read from the source with `ast`, so a new import that breaks a rule fails here, not as an
import cycle somewhere else later.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SYNTH = Path(__file__).parents[1] / "synth"
# Modules at the bottom of the package: they import nothing from synth but each other.
BOTTOM = frozenset({"synth.text", "synth.evidence", "synth.lexicon"})


def synth_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `synth` import in the file, at any depth (lazy ones too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "synth"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            module = node.module or ""
            if module.split(".")[0] == "synth":
                # `from synth import text` imports the module synth.text
                names = [f"{module}.{a.name}" if module == "synth" else module for a in node.names]
                found += [(node.lineno, name) for name in names]
    return found


def _allowed_in_guards(module: str) -> bool:
    return module == "synth.guards" or module.startswith("synth.guards.") or module in BOTTOM


@pytest.mark.parametrize(
    "path", sorted(SYNTH.glob("guards/**/*.py")), ids=lambda p: str(p.relative_to(SYNTH))
)
def test_guards_import_only_guards_and_bottom_modules(path: Path) -> None:
    wrong = [f"line {line}: {m}" for line, m in synth_imports(path) if not _allowed_in_guards(m)]
    assert not wrong, f"{path.relative_to(SYNTH.parent)} imports upward: {wrong}"


@pytest.mark.parametrize("module", sorted(BOTTOM))
def test_bottom_modules_import_only_each_other(module: str) -> None:
    path = SYNTH.parent / (module.replace(".", "/") + ".py")
    wrong = [f"line {line}: {m}" for line, m in synth_imports(path) if m not in BOTTOM]
    assert not wrong, f"{module} is a bottom module but imports {wrong}"


def test_the_rule_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from synth.guards.findings import Finding\nfrom synth import text\n"
        "def f():\n    from synth.drafting.inputs import Quote\n"
    )
    assert [m for _, m in synth_imports(bad) if not _allowed_in_guards(m)] == [
        "synth.drafting.inputs"
    ]


@pytest.mark.parametrize(
    "module", ["synth.guards", "synth.cycles.models", "synth.evidence", "synth.text"]
)
def test_imports_alone_without_a_cycle(module: str) -> None:
    """Each imports first in a fresh interpreter: no module needs another half-initialised."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
