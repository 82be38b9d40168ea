"""Prompts are versioned package files, synth/prompts/<name>/v<N>.md; newest by default."""

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from synth.errors import ConfigurationError

# Package data, not a path beside the source tree, so an installed wheel finds them too.
PROMPTS: Traversable = files("synth") / "prompts"
_VERSION = re.compile(r"^v(\d+)\.md$")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str

    @property
    def ref(self) -> str:
        """What is stored with a draft, e.g. `synthesis@v1`."""
        return f"{self.name}@{self.version}"


@lru_cache
def load(name: str, version: str | None = None) -> Prompt:
    """The prompt `name` at `version` (e.g. "v2"), or its newest version."""
    folder = PROMPTS / name
    found_files = list(folder.iterdir()) if folder.is_dir() else []
    versions = sorted(
        ((int(m.group(1)), p) for p in found_files if (m := _VERSION.match(p.name))),
        key=lambda numbered: numbered[0],
    )
    if not versions:
        raise ConfigurationError(f"no prompt files in {folder}", code="prompt_missing")
    if version is None:
        number, path = versions[-1]
    else:
        found = [(n, p) for n, p in versions if f"v{n}" == version]
        if not found:
            raise ConfigurationError(f"no prompt {name} {version}", code="prompt_missing")
        number, path = found[0]
    return Prompt(name=name, version=f"v{number}", text=path.read_text(encoding="utf-8"))
