"""Wording and lexicon tables shipped as YAML next to the code that reads them.

Each table is read once and checked by a pydantic model, the way the career ladder is: an
unknown key, a missing field or a pattern that does not compile fails with the path of the
entry at fault. Patterns are Python regular expressions; a long one is written as a YAML `|-`
block whose lines are joined with nothing between them, as Python joins adjacent strings
(so a line never starts or ends with a space that matters).
"""

import re
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


class Strict(BaseModel):
    """A table or one of its entries: unknown keys are refused, since a typo would be ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _joined(value: Any) -> Any:
    if isinstance(value, str) and "\n" in value:
        return "".join(line.strip() for line in value.splitlines())
    return value


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"pattern does not compile ({exc}): {value}") from exc
    return value


def split_words(value: Any) -> Any:
    """A string of words separated by whitespace, as a list; anything else unchanged."""
    return value.split() if isinstance(value, str) else value


Joined = Annotated[str, BeforeValidator(_joined)]
"""A pattern as written: a multi-line value has its lines joined."""

Regex = Annotated[Joined, AfterValidator(_compiles)]
"""A regular expression that compiles; a multi-line value has its lines joined."""

Words = Annotated[frozenset[str], BeforeValidator(split_words)]
"""A set of words, written as one string separated by spaces."""

_Table = TypeVar("_Table", bound=BaseModel)


# libyaml's parser when PyYAML was built with it: the tables are read at first use, in a request.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path: Path, model: type[_Table]) -> _Table:
    """Read a packaged YAML table and check it against `model`."""
    return model.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER))
