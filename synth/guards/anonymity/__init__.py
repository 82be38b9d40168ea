"""The anonymity guard: the engineer-facing version never reveals who wrote what.

- `check`: `check_anonymity`, the blocking findings on the engineer-facing version of a draft.
- `names`: one pattern for every reviewer's names and email handle.
- `phrases`: the phrases that single out one reviewer (roles, relationship pointers, levels,
  self-identification).
- `relationships`: sentences that say which relationships gave the feedback.
- `quotes`: `cut_quote` and `example_cut`, the part of a reviewer's sentence others may see.

Here: `Reviewer`, what the guard knows of each author of feedback, and `GUARD`, the name its
findings carry.
"""

from pydantic import BaseModel, ConfigDict

from synth.evidence import PersonName

GUARD = "anonymity"


class Reviewer(BaseModel):
    """One author of feedback on this draft, with what their role says about them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person: PersonName
    title: str = ""
    function: str = "engineering"
    relationship: str = "peer"
