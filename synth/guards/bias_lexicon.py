"""The bias guard's vocabulary, as loaded from `bias_lexicon.yaml`: each flagged word, its
category, its own suggestion, and the contexts that make it about a person (`when`) or about
the work (`unless`).

`{w}` in a context stands for the term itself; `{name}` stands for one of the file's fragments
and is filled in here. Matching lives in `synth.guards.bias`.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from synth.lexicon import Joined, Strict, load

PERSONALITY = "personality"
GENDERED = "gendered"
CODED = "coded"

LEXICON = Path(__file__).with_name("bias_lexicon.yaml")
_FRAGMENT = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Term:
    """A word (regex) to flag, what to write instead, and where it counts."""

    pattern: str
    suggestion: str
    when: str = ""
    unless: str = ""


class Entry(Strict):
    """One flagged word as the file has it, fragments not yet filled in."""

    pattern: Joined = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    when: Joined = ""
    unless: Joined = ""


class BiasLexicon(Strict):
    """The file: shared fragments, then the flagged words of each category."""

    fragments: dict[str, Joined]
    personality: list[Entry] = Field(min_length=1)
    gendered: list[Entry] = Field(min_length=1)
    coded: list[Entry] = Field(min_length=1)

    def terms(self) -> dict[str, tuple[Term, ...]]:
        """The flagged words by category, in file order, fragments filled in."""
        return {
            category: tuple(map(self._term, entries)) for category, entries in self._categories()
        }

    def _categories(self) -> tuple[tuple[str, list[Entry]], ...]:
        return ((PERSONALITY, self.personality), (GENDERED, self.gendered), (CODED, self.coded))

    def _term(self, entry: Entry) -> Term:
        return Term(
            pattern=self._fill(entry.pattern),
            suggestion=entry.suggestion,
            when=self._fill(entry.when),
            unless=self._fill(entry.unless),
        )

    def _fill(self, text: str, within: tuple[str, ...] = ()) -> str:
        def fragment(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "w":
                return match.group(0)
            if name not in self.fragments:
                raise ValueError(f"unknown fragment {{{name}}}")
            if name in within:
                raise ValueError(f"fragment {{{name}}} contains itself")
            return self._fill(self.fragments[name], (*within, name))

        return _FRAGMENT.sub(fragment, text)

    @model_validator(mode="after")
    def _compiles(self) -> Self:
        for category, entries in self._categories():
            for i, entry in enumerate(entries):
                try:
                    _check(self._term(entry))
                except ValueError as exc:
                    raise ValueError(f"{category}[{i}] ({entry.pattern}): {exc}") from exc
        return self


def _check(term: Term) -> None:
    """The term, and each context with the term in place of {w}, compile."""
    whole = f"(?:{term.pattern})"
    for part, text in (
        ("pattern", term.pattern),
        ("when", term.when.replace("{w}", whole)),
        ("unless", term.unless.replace("{w}", whole)),
    ):
        try:
            re.compile(text)
        except re.error as exc:
            raise ValueError(f"{part} does not compile: {exc}") from exc


@cache
def lexicon() -> Mapping[str, tuple[Term, ...]]:
    """The packaged vocabulary by category, read and checked once."""
    return load(LEXICON, BiasLexicon).terms()
