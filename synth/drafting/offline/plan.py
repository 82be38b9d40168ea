"""How an offline expectation is worded: the plan for one engineer's suggestions, SMART
sentences, key steps, the level expectation each one answers, and the objective it names.

Shared by `expectations` (which decides what to suggest). The wording of each topic at each
style of the ladder lives in `topics` (`topics.yaml`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from synth.cycles.models import ExpectationKind
from synth.drafting.inputs import ExpectationInput, ExpectationInputs, LevelInput, ThemeInput
from synth.drafting.offline.meaning import similarity
from synth.drafting.offline.text import day, keywords, quoted
from synth.drafting.offline.topics import (
    ACTIVITY,
    OBJECTIVE,
    OUTCOME,
    OWNERSHIP,
    Topic,
    all_topics,
    for_competency,
    general,
    match,
)
from synth.drafting.outputs import Smart, SuggestedExpectation

SCOPE = {
    ACTIVITY: "your own tickets, reviews and meetings, every week",
    OWNERSHIP: "the features you own",
    OUTCOME: "the projects you lead",
    OBJECTIVE: "the work behind the objective",
}
UNIT = {ACTIVITY: "task", OWNERSHIP: "feature you own", OUTCOME: "project you lead"}
# MiniLM cosine at which a current expectation or an objective is about the same thing as a
# suggestion's source (a theme, a ladder line): the suggestion then builds on it and cites it.
ANCHORED = 0.35
# Below this cosine between a theme and every topic, no topic describes it: the theme's own
# name carries the expectation.
TOPICAL = 0.2


@dataclass(frozen=True)
class Anchor:
    """What a suggestion answers besides its theme: a current expectation or an objective."""

    kind: str  # "expectation" or "objective"
    text: str

    def clause(self) -> str:
        """How a title cites it."""
        if self.kind == "objective":
            return f", in support of “{self.text}”"
        return f", building on “{self.text}”"


@dataclass
class Plan:
    inputs: ExpectationInputs
    style: str
    due: date
    used_topics: set[str] = field(default_factory=set)
    used_competencies: set[str] = field(default_factory=set)
    objective_uses: dict[str, int] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)  # current expectations a suggestion builds on

    @property
    def level(self) -> LevelInput:
        return self.inputs.level

    @property
    def objectives(self) -> list[str]:
        return [o.strip().rstrip(".") for o in self.inputs.objectives if o.strip()]

    @property
    def objective_style(self) -> bool:
        return self.style == OBJECTIVE and bool(self.objectives)

    def objective_for(self, text: str, *, related_only: bool = False) -> str | None:
        """The objective most related to `text`; among equals the one already carrying most of
        the engineer's expectations (their work concentrates there), then the first."""
        words = keywords(text)
        ranked = sorted(
            enumerate(self.objectives),
            key=lambda io: (
                -len(keywords(io[1]) & words),
                -self.objective_uses.get(io[1], 0),
                io[0],
            ),
        )
        if not ranked or (related_only and not keywords(ranked[0][1]) & words):
            return None
        chosen = ranked[0][1]
        self.objective_uses[chosen] = self.objective_uses.get(chosen, 0) + 1
        return chosen

    def anchor_for(self, text: str, *, objectives: bool = True) -> Anchor | None:
        """The current expectation or objective closest in meaning to `text`, when it is
        about the same thing; ties go to expectations, then input order."""
        pool = [Anchor("expectation", e.title.strip().rstrip(".")) for e in self.current]
        if objectives:
            pool += [Anchor("objective", o) for o in self.objectives]
        if not pool or not text.strip():
            return None
        sims = similarity([text], [a.text for a in pool])[0]
        best = max(range(len(pool)), key=lambda i: (round(float(sims[i]), 4), -i))
        return pool[best] if sims[best] >= ANCHORED else None

    @property
    def current(self) -> list[ExpectationInput]:
        return sorted(self.inputs.current_expectations, key=lambda e: e.position)


# --- building one expectation ---------------------------------------------------------------


def competency_name(key: str) -> str:
    return key.replace("_", " ").capitalize()


def level_line(level: LevelInput, competency: str, text: str) -> tuple[str, str] | None:
    """The level expectation closest to `text`: shared words count double, being in the
    topic's competency counts once, ties go to ladder order."""
    pool = [(k, line) for k, lines in level.expectations.items() for line in lines]
    if not pool:
        return None
    words = keywords(text)

    def score(item: tuple[int, tuple[str, str]]) -> tuple[int, int]:
        index, (key, line) = item
        return (-(2 * len(keywords(line) & words) + (key == competency)), index)

    return sorted(enumerate(pool), key=score)[0][1]


def relevant(plan: Plan, answers: str, line: tuple[str, str] | None, objective: str | None) -> str:
    # What it answers (often a phrase lifted from the feedback) comes last, before the
    # punctuation: words of ours run on from it would extend a reviewer's words ("... the sync
    # client” and the") into a verbatim run the anonymity guard blocks.
    if line is None:
        sentence = f"It answers {answers}"
    else:
        sentence = (
            f"It answers the {plan.level.name} expectation “{line[1].rstrip('.')}” and {answers}"
        )
    if objective:
        sentence += f", in support of “{objective}”"
    return sentence + "."


def time_bound(plan: Plan, due: date) -> str:
    if plan.style == ACTIVITY:
        return f"Due {day(due)}, with progress checked at every weekly 1:1."
    start = plan.inputs.next_period.starts_on
    middle = start + (due - start) / 2
    return f"Due {day(due)}, with a mid-point check on {day(middle)}."


def key_steps_for(
    plan: Plan, core: tuple[str, ...], objective: str | None, *, what: str
) -> list[str]:
    """The topic's own steps between a first and a last step that fit the style; both name
    the behaviour (`what`), so no step repeats verbatim across one engineer's suggestions."""
    start = plan.inputs.next_period.starts_on
    return framed_steps(plan.style, start, plan.due, core, objective, what=what)


def framed_steps(
    style: str, start: date, due: date, core: Sequence[str], objective: str | None, *, what: str
) -> list[str]:
    """`core` (up to four steps) between a first step that agrees what `what` looks like and
    a last one that reviews it, both in the words of the level's style (shared by suggested
    expectations and key steps asked for on their own)."""
    first_month = min(start + timedelta(days=30), due)
    style = OUTCOME if style == OBJECTIVE and not objective else style
    first = {
        ACTIVITY: f"Agree with your manager in your next 1:1 what {what} looks like in "
        "practice, with one example",
        OWNERSHIP: f"Write a half-page plan for {what} on your current features and share it "
        "with your manager",
        OUTCOME: f"Agree the baseline for {what} and how the result will be measured with your "
        f"manager by {day(first_month)}",
        OBJECTIVE: f"Link {what} to “{objective}” in the team plan, using the measure the "
        "objective uses",
    }[style]
    last = {
        ACTIVITY: f"Bring one example of {what} to every weekly 1:1 and note it in the 1:1 doc",
        OWNERSHIP: f"Review progress on {what} with your manager monthly and adjust the steps, "
        "not the expectation",
        OUTCOME: f"Report the result on {what} against the baseline at the end of the period",
        OBJECTIVE: f"Report progress on {what} against the objective to your manager and the "
        "team every month",
    }[style]
    return [first, *core[:4], last]


def achievable(plan: Plan, what: str) -> str:
    """The style's reason it is attainable, about this behaviour (never a stock sentence
    repeated under every suggestion)."""
    return {
        ACTIVITY: f"The steps towards {what} are small and weekly, and you set them together "
        "with your manager.",
        OWNERSHIP: f"{what[:1].upper()}{what[1:]} fits inside the features you already own, "
        "and the key steps break it into monthly pieces.",
        OUTCOME: f"It builds on work you already lead, and the target for {what} is agreed "
        "against a baseline before the period is locked.",
        OBJECTIVE: f"It is scoped to your part of the objective through {what}, with owners and "
        "dependencies agreed at the start.",
    }[plan.style]


def with_objective(plan: Plan, title: str, text: str) -> tuple[str, str | None]:
    """The title cites what the suggestion builds on. Staff and above: an objective (the
    most related one). Below: a current expectation or objective about the same thing, when
    there is one (the second value is the objective, if that is what it cites)."""
    named = next((o for o in plan.objectives if o in title), None)
    if named:
        return title, named
    if plan.objective_style:
        objective = plan.objective_for(text)
        assert objective is not None
        return f"{title}, across the teams involved, in support of “{objective}”", objective
    anchor = plan.anchor_for(text)
    if anchor is None:
        return title, None
    if anchor.kind == "objective":
        plan.objective_uses[anchor.text] = plan.objective_uses.get(anchor.text, 0) + 1
        return title + anchor.clause(), anchor.text
    plan.cited.add(anchor.text)
    return title + anchor.clause(), None


def peek_topic(theme: ThemeInput) -> Topic | None:
    return match(" ".join([theme.label] * 3 + [q.text for q in theme.representatives]))[0]


def theme_text(theme: ThemeInput) -> str:
    """What a theme says: its name and its representative statements."""
    return " ".join([theme.label, *(q.text for q in theme.representatives)])


def topic_text(topic: Topic) -> str:
    """What a topic is about, for matching by meaning: its behaviour and its titles."""
    return " ".join([topic.what, topic.keep.replace(" to {where}", ""), *topic.titles.values()])


def topic_for(plan: Plan, theme: ThemeInput) -> Topic:
    """The unused topic closest in meaning to the theme (its name and statements), or one
    worded around the theme's own name when no topic is about it."""
    free = [t for t in all_topics() if t.key not in plan.used_topics]
    best: Topic | None = None
    if free:
        texts = [theme.label, *(q.text for q in theme.representatives)]
        sims = similarity(texts, [topic_text(t) for t in free])
        # The name weighs as much as all statements together.
        score = 0.5 * sims[0] + 0.5 * sims[1:].mean(axis=0) if len(texts) > 1 else sims[0]
        at = max(range(len(free)), key=lambda i: (round(float(score[i]), 4), -i))
        best = free[at] if score[at] >= TOPICAL else None
    topic = best or general(quoted(theme.label))
    plan.used_topics.add(topic.key)
    if topic.competency:
        plan.used_competencies.add(topic.competency)
    return topic


def stability_title(plan: Plan, topic: Topic, *, seen_by_reviewers: bool) -> str:
    due = day(plan.due)
    held = (
        "holding the standard reviewers describe now"
        if seen_by_reviewers
        else f"at the {plan.level.name} standard"
    )
    where = {
        ACTIVITY: "every task this period",
        OWNERSHIP: "every feature you own this period",
        OUTCOME: f"100% of the projects you lead through {due}",
        OBJECTIVE: f"100% of the work you lead through {due}",
    }[plan.style]
    if "{where}" in topic.keep:  # a sentence of its own (the general topic's)
        return topic.keep.replace("{where}", where)
    return f"{topic.keep} on {where}" + ("" if plan.style == OBJECTIVE else f", {held}")


STABLE_MEASURE = {
    ACTIVITY: "The standard holds every week, checked in the weekly 1:1 against one example.",
    OWNERSHIP: "The standard holds on every owned feature, checked with one reviewer at "
    "mid-period.",
    OUTCOME: "The standard holds on 100% of the projects you lead, and at least 2 reviewers can "
    "point to an example at the next feedback cycle.",
    OBJECTIVE: "The standard holds on 100% of the work you lead, and at least 2 reviewers can "
    "point to an example at the next feedback cycle.",
}


def steady(
    plan: Plan, topic: Topic, *, title: str, text: str, source: str, answers: str, rationale: str
) -> SuggestedExpectation:
    title, objective = with_objective(plan, title, text)
    unit = UNIT.get(plan.style, "piece of work you lead")
    core = (
        f"Write down in a few lines how you approach {topic.what} today, so the standard is "
        "explicit",
        f"Apply it on every {unit} this period",
        "Ask one reviewer at mid-period whether the standard has held, and note what they say",
        "Share the approach with one teammate so it does not depend on you alone",
    )
    if objective:
        key_steps = [f"Agree with your manager how {topic.what} serves “{objective}”", *core]
    elif plan.style == ACTIVITY:
        key_steps = key_steps_for(plan, core, None, what=topic.what)
    else:
        key_steps = list(core)
    line = level_line(plan.level, topic.competency, text)
    return SuggestedExpectation(
        title=title,
        kind=ExpectationKind.STABILITY,
        rationale=rationale,
        source=source,
        smart=Smart(
            specific=f"It names one practice, {topic.what}, and where it applies: "
            f"{SCOPE[plan.style]}.",
            measurable=STABLE_MEASURE[plan.style],
            achievable="It keeps a standard you already meet rather than stretching for a new one.",
            relevant=relevant(plan, answers, line, objective),
            time_bound=time_bound(plan, plan.due),
        ),
        due_on=plan.due,
        key_steps=key_steps,
    )


def from_level(
    plan: Plan, competency: str, topic: Topic | None = None, *, stable: bool | None = None
) -> SuggestedExpectation:
    """An expectation straight from the level, for a competency no theme points at: steady
    when the engineer is performing well, a growth expectation otherwise."""
    plan.used_competencies.add(competency)
    lines = plan.level.expectations.get(competency, [])
    line_text = lines[0] if lines else ""
    if topic is None:
        preferred = for_competency(competency)
        topic = preferred if preferred and preferred.key not in plan.used_topics else None
    if topic is None:
        topic = match(line_text, exclude=plan.used_topics)[0] or general(
            competency_name(competency).lower()
        )
    plan.used_topics.add(topic.key)
    name = competency_name(competency)
    source = f"{plan.level.name}: {name}"
    answers = f"the {name.lower()} competency"
    keep_steady = plan.inputs.performing_well if stable is None else stable
    if keep_steady:
        return steady(
            plan,
            topic,
            title=stability_title(plan, topic, seen_by_reviewers=False),
            text=f"{line_text} {topic.what}",
            source=source,
            answers=answers,
            rationale=(
                f"Stability is a valid goal: from the {plan.level.name} expectations for "
                f"{name.lower()}, kept at a steady standard rather than stretched, since no "
                "theme asks for more here."
            ),
        )
    style = OUTCOME if plan.style == OBJECTIVE else plan.style
    base = topic.titles[style].format(due=day(plan.due))
    title, objective = with_objective(plan, base, f"{line_text} {topic.what}")
    line = level_line(plan.level, topic.competency or competency, f"{topic.what} {title}")
    return SuggestedExpectation(
        title=title,
        kind=ExpectationKind.GROWTH,
        rationale=(
            f"From the {plan.level.name} expectations for {name.lower()}: no theme points here, "
            "so this keeps part of the period anchored in the level."
        ),
        source=source,
        smart=Smart(
            specific=f"It names one behaviour, {topic.what}, and where it shows: "
            f"{SCOPE[plan.style]}.",
            measurable=topic.measures[style],
            achievable=achievable(plan, topic.what),
            relevant=relevant(plan, answers, line, objective),
            time_bound=time_bound(plan, plan.due),
        ),
        due_on=plan.due,
        key_steps=key_steps_for(plan, topic.steps, objective, what=topic.what),
    )
