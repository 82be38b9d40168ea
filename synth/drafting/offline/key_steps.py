"""Offline key steps for one expectation, asked for by the engineer (or their manager).

Drafted from the expectation itself (its title, description and the steps it has), the
engineer's level and the engineer's own self-assessment, never from anyone's feedback: the
engineer reads the result at once. The steps are a topic's own tactical steps (`topics.yaml`,
matched by words, then by meaning), framed by a first and a last step in the level's style
(`plan.framed_steps`, as suggested expectations are), with a check against the level
expectation the expectation answers. Steps the expectation already has are not suggested again.
"""

import re
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import Field

from synth.drafting.inputs import KeyStepInputs
from synth.drafting.offline.meaning import similarity
from synth.drafting.offline.plan import framed_steps, level_line, topic_text
from synth.drafting.offline.text import clip, day, keywords, without_names
from synth.drafting.offline.topics import OWNERSHIP, STYLES, Topic, all_topics
from synth.drafting.outputs import KeyStepSuggestions, SuggestedKeyStep
from synth.lexicon import Strict, load

MAX_STEPS = 6
MIN_TACTICAL = 2  # the topic's own steps kept however much framing there is
# A suggested step whose content words are mostly in a step the expectation has repeats it.
REPEATS = 0.6
# MiniLM cosine between the expectation and a topic, plus WORD_HIT per word of the topic's
# own patterns in it, at which the topic's steps fit the expectation.
WORD_HIT = 0.08
ABOUT = 0.3
WORDING_FILE = Path(__file__).with_name("key_steps.yaml")


class Wording(Strict):
    """key_steps.yaml: what the drafter adds around a topic's steps."""

    fallback: list[str] = Field(min_length=3)
    level: str = Field(min_length=1)
    own_words: str = Field(min_length=1)


@cache
def wording() -> Wording:
    return load(WORDING_FILE, Wording)


def draft_key_steps(inputs: KeyStepInputs) -> KeyStepSuggestions:
    """Up to six ordered steps for the expectation, each with the reason it is there."""
    expectation = inputs.expectation
    style = inputs.level.style if inputs.level.style in STYLES else OWNERSHIP
    title = without_names(expectation.title.strip().rstrip("."), inputs.people, inputs.subject_id)
    text = f"{title} {expectation.description}"
    due = expectation.due_on or inputs.period.ends_on
    topic = _topic(text)
    existing = [*expectation.key_steps, *expectation.done_steps]
    if topic is None:
        what = "this expectation"
        core = [s.format(title=title) for s in wording().fallback]
        because = f"It makes “{title}” concrete work you can plan and check."
    else:
        what = topic.what
        core = list(topic.steps)
        because = f"A tactical step towards {topic.what}, which “{title}” is about."
    first, *middle, last = framed_steps(style, inputs.period.starts_on, due, core, None, what=what)
    opening = (
        []
        if existing
        else [_step(first, f"The {inputs.level.name} way to start: {_scope(style)}.")]
    )
    own = _own_words(inputs, title)
    closing = [] if own is None else [own]
    line = level_line(inputs.level, topic.competency if topic else "", text)
    if line is not None:
        checked = wording().level.format(
            when=day(_mid_point(inputs.period.starts_on, due)),
            level=inputs.level.name,
            line=line[1].rstrip("."),
        )
        closing.append(_step(checked, f"It keeps the expectation at the {inputs.level.name} bar."))
    closing.append(_step(last, "It closes the loop with your manager, in your level's rhythm."))
    tactical = [_step(s, because) for s in middle if not _repeats(s, existing)]
    # At most one opening and three closing steps: the topic's own steps keep two places.
    room = max(MIN_TACTICAL, MAX_STEPS - len(opening) - len(closing))
    return KeyStepSuggestions(style=style, steps=opening + tactical[:room] + closing)


def _step(text: str, why: str) -> SuggestedKeyStep:
    return SuggestedKeyStep(text=" ".join(text.split()), why=why)


def _scope(style: str) -> str:
    return {
        "activity": "explicit, weekly activities agreed in your 1:1",
        "ownership": "a plan for the work you own, shared with your manager",
        "outcome": "a baseline and a measure agreed before the work starts",
        "objective": "a link to the objective and its measure",
    }[style]


def _topic(text: str) -> Topic | None:
    """The topic the expectation is about: by meaning, each word hit of a topic adding a
    little (one stray word, "written", should not outweigh what the sentence is about); none
    when nothing is close enough, and the steps are worded around the expectation itself."""
    topics = all_topics()
    sims = similarity([text], [topic_text(t) for t in topics])[0]
    scores = [
        float(sims[i]) + WORD_HIT * len(t.pattern.findall(text)) for i, t in enumerate(topics)
    ]
    best = max(range(len(topics)), key=lambda i: (round(scores[i], 4), -i))
    return topics[best] if scores[best] >= ABOUT else None


def _own_words(inputs: KeyStepInputs, title: str) -> SuggestedKeyStep | None:
    """A step that builds on the engineer's own self-assessment: its first sentence on this
    expectation, else a sentence of the overall one that talks about the same thing."""
    candidates: list[tuple[str, bool]] = []
    if inputs.self_on_expectation is not None:
        candidates.append((inputs.self_on_expectation.text, True))
    if inputs.self_overall is not None:
        candidates.append((inputs.self_overall.text, False))
    for text, on_this in candidates:
        said = without_names(text, inputs.people, inputs.subject_id)
        for sentence in (s.strip().rstrip(".") for s in re.split(r"(?<=[.!?])\s+|\n", said)):
            if sentence and (on_this or keywords(sentence) & keywords(title)):
                return _step(
                    wording().own_words.format(own=clip(sentence, 120)),
                    "It builds on what you report doing already, in your own words.",
                )
    return None


def _repeats(step: str, existing: list[str]) -> bool:
    words = keywords(step)
    if not words:
        return False
    return any(len(words & keywords(e)) >= REPEATS * len(words) for e in existing)


def _mid_point(start: date, due: date) -> date:
    return start + (due - start) / 2
