"""Offline SMART expectation suggestions: 3-5 per engineer, fitted to the ladder's style.

Where they come from, in order:
- new hires (whose 90 days from the start date are still running, with two weeks or more
  left, when the next period starts): the onboarding expectations they have not done yet
  (`onboarding`), due within those 90 days, and at most one growth expectation when
  reviewers already agree on one; when onboarding is mostly done, regular ones fill to three;
- staff and above and managers (style "objective"): an expectation on the most related
  team or company objective, and every other expectation names an objective too;
- growth-area themes backed by at least two reviewers: growth expectations (remedial when
  the engineer is not performing well and the gap is well corroborated or carried over);
- when performing well: a stability expectation that keeps the top strength steady, and at
  most one next-level expectation, only when strengths clearly outweigh growth areas;
- otherwise the level's own competencies fill the set up to three;
- then, room permitting, one growth area the engineer will not see (fewer reviewers outside
  the management chain than the anonymity threshold) as a suggestion for the manager alone:
  the release projection keeps it out of the engineer's version, and the set the engineer
  reads is complete without it.
Everything the engineer reads is built from released themes only. Nothing is random and ties
break by input order, so the same inputs give the same draft.
"""

from datetime import date

from synth.cycles.models import ExpectationKind, Outcome
from synth.drafting.inputs import ExpectationInput, ExpectationInputs, LevelInput, ThemeInput
from synth.drafting.offline.carry import carry_over, unfinished
from synth.drafting.offline.onboarding import onboarding, window
from synth.drafting.offline.plan import (
    SCOPE,
    Plan,
    achievable,
    competency_name,
    from_level,
    key_steps_for,
    level_line,
    peek_topic,
    relevant,
    stability_title,
    steady,
    theme_text,
    time_bound,
    topic_for,
    with_objective,
)
from synth.drafting.offline.text import (
    Place,
    about,
    count,
    day,
    keywords,
    quoted,
    theme_place,
    without_names,
)
from synth.drafting.offline.topics import (
    ACTIVITY,
    OBJECTIVE,
    OUTCOME,
    OWNERSHIP,
    STYLES,
    all_topics,
    match,
)
from synth.drafting.outputs import ExpectationSuggestions, Smart, SuggestedExpectation

MAX_EXPECTATIONS = 5
MIN_EXPECTATIONS = 3
MAX_GROWTH = 2
CORROBORATED = 2  # reviewers behind a theme before it shapes an expectation
WELL_CORROBORATED = 3  # reviewers behind a gap before it is remedial

# Where a growth expectation shows at the level, in the ladder's words for its scope.
_SCOPED = {OUTCOME: ", across the projects you lead"}
_SAID = {Outcome.MET: "met", Outcome.PARTIALLY_MET: "partly met", Outcome.MISSED: "missed"}


def draft_expectations(inputs: ExpectationInputs) -> ExpectationSuggestions:
    inputs = _unnamed(inputs)
    style = inputs.level.style if inputs.level.style in STYLES else OWNERSHIP
    plan = Plan(inputs=inputs, style=style, due=inputs.next_period.ends_on)
    themes = sorted(inputs.themes, key=lambda t: (-t.reviewers, -t.statement_count, t.label))
    released = [t for t in themes if t.outside_chain >= inputs.anonymity_threshold]
    growth = [
        t for t in released if theme_place(t) is not Place.STRENGTH and t.reviewers >= CORROBORATED
    ]
    strengths = [
        t for t in released if theme_place(t) is Place.STRENGTH and t.reviewers >= CORROBORATED
    ]
    held_back = [
        t
        for t in themes
        if t not in released and theme_place(t) is Place.GROWTH and t.reviewers >= CORROBORATED
    ]
    # Onboarding only inside the first 90 days, and only what is not done yet; a "new hire"
    # whose 90 days are over (or nearly) when the period starts gets regular expectations.
    onboarding_due = window(inputs, plan.due)
    if onboarding_due is not None:
        chosen = onboarding(plan, onboarding_due)
        if growth:
            chosen.append(_growth(plan, growth[0], due=onboarding_due))
        if len(chosen) < MIN_EXPECTATIONS:  # onboarding mostly done: the rest of the period
            rest = _regular(plan, growth[1:], strengths)
            chosen += rest[: MIN_EXPECTATIONS - len(chosen)]
    else:
        chosen = _regular(plan, growth, strengths)
    if held_back and len(chosen) < MAX_EXPECTATIONS:
        chosen.append(_for_the_manager(plan, held_back[0], due=onboarding_due or plan.due))
    return ExpectationSuggestions(
        level=inputs.level.key, style=style, expectations=chosen[:MAX_EXPECTATIONS]
    )


def _unnamed(inputs: ExpectationInputs) -> ExpectationInputs:
    """The inputs with other people's names out of every text a suggestion may quote: the
    current expectations, their key steps and the objectives."""

    def clean(text: str) -> str:
        return without_names(text, inputs.people, inputs.subject_id)

    current = [
        e.model_copy(
            update={"title": clean(e.title), "done_steps": [clean(s) for s in e.done_steps]}
        )
        for e in inputs.current_expectations
    ]
    objectives = [clean(o) for o in inputs.objectives]
    return inputs.model_copy(update={"current_expectations": current, "objectives": objectives})


def _regular(
    plan: Plan, growth: list[ThemeInput], strengths: list[ThemeInput]
) -> list[SuggestedExpectation]:
    inputs = plan.inputs
    chosen: list[SuggestedExpectation] = []
    context = " ".join(
        [e.title for e in inputs.current_expectations] + [t.label for t in inputs.themes]
    )
    if plan.objective_style:
        objective = plan.objective_for(context)
        assert objective is not None
        chosen.append(_team_objective(plan, objective))
    for theme in growth[:MAX_GROWTH]:
        chosen.append(_growth(plan, theme, due=plan.due))
    if inputs.performing_well:
        chosen.append(_stability(plan, strengths[0] if strengths else None))
        if _strong(inputs, growth, strengths):
            chosen.append(_next_level(plan, strengths))
    if not plan.objective_style and plan.objectives:
        objective = plan.objective_for(context, related_only=True)
        if objective is not None:
            chosen.append(_team_objective(plan, objective))
    # Then what is left of this period's expectations, then the team's objectives: every
    # suggestion answers something the engineer and manager already agreed matters.
    for expectation in unfinished(plan):
        if len(chosen) >= MIN_EXPECTATIONS:
            break
        chosen.append(carry_over(plan, expectation))
    if len(chosen) < MIN_EXPECTATIONS and plan.objectives:
        if not any(s.kind is ExpectationKind.TEAM_OBJECTIVE for s in chosen):
            objective = plan.objective_for(context)
            assert objective is not None
            chosen.append(_team_objective(plan, objective))
    # Fill from the level, first avoiding competencies reviewers already name as strengths.
    strong_in = {t.competency for s in strengths if (t := peek_topic(s)) is not None}
    for pass_ in (0, 1):
        for competency in plan.level.expectations:
            if len(chosen) >= MIN_EXPECTATIONS:
                break
            if competency in plan.used_competencies or (pass_ == 0 and competency in strong_in):
                continue
            chosen.append(from_level(plan, competency))
    while len(chosen) < MIN_EXPECTATIONS:  # a ladder without competencies: still three
        topic = next(t for t in all_topics() if t.key not in plan.used_topics)
        chosen.append(from_level(plan, topic.competency, topic))
    return chosen


def _strong(
    inputs: ExpectationInputs, growth: list[ThemeInput], strengths: list[ThemeInput]
) -> bool:
    """Room for one next-level expectation: performing well, a next level to look at, and
    strengths that clearly outweigh growth areas (by reviewers). Not everyone, every time."""
    if not (inputs.performing_well and inputs.level.next_level_expectations and strengths):
        return False
    ahead = sum(t.reviewers for t in strengths)
    behind = sum(t.reviewers for t in growth)
    return strengths[0].reviewers >= CORROBORATED and ahead >= 2 * max(behind, 1)


def _growth(plan: Plan, theme: ThemeInput, *, due: date) -> SuggestedExpectation:
    topic = topic_for(plan, theme)
    text = theme_text(theme)
    style = OUTCOME if plan.style == OBJECTIVE else plan.style
    base = topic.titles[style].format(due=day(due))
    if "you lead" not in base:
        base += _SCOPED.get(plan.style, "")
    title, objective = with_objective(plan, base, text)
    if title == base:  # nothing else it builds on: it cites the growth area itself
        title = f"{base}, answering {quoted(theme.label)}"
    linked = _carried_over(plan.inputs.current_expectations, theme)
    reviewers = count(theme.reviewers, "reviewer")
    remedial = (
        not plan.inputs.performing_well
        and not plan.inputs.new_hire
        and (theme.reviewers >= WELL_CORROBORATED or linked is not None)
    )
    rationale = (
        f"Answers the growth area {quoted(theme.label)}, raised by {reviewers} across "
        f"{count(theme.statement_count, 'statement')}."
    )
    if remedial:
        rationale += (
            " Remedial: several reviewers describe the same gap, so closing it comes before "
            "new scope."
        )
    if linked is not None and linked.self_outcome is not None:
        rationale += (
            f" It carries on from “{linked.title}”, which the self-assessment calls "
            f"{_SAID[linked.self_outcome]}."
        )
    line = level_line(plan.level, topic.competency, f"{text} {topic.what} {title}")
    return SuggestedExpectation(
        title=title,
        kind=ExpectationKind.REMEDIAL if remedial else ExpectationKind.GROWTH,
        rationale=rationale,
        source=theme.label,
        smart=Smart(
            specific=f"It names one behaviour, {topic.what}, and where it shows: "
            f"{SCOPE[plan.style]}.",
            measurable=topic.measures[style],
            achievable=achievable(plan, topic.what),
            relevant=relevant(plan, f"{quoted(theme.label)} ({reviewers})", line, objective),
            time_bound=time_bound(plan, due),
        ),
        due_on=due,
        key_steps=key_steps_for(plan, topic.steps, objective, what=topic.what),
    )


def _for_the_manager(plan: Plan, theme: ThemeInput, *, due: date) -> SuggestedExpectation:
    """A growth expectation on a theme the engineer will not see: the manager's to adopt as
    their own, or to raise in the 1:1 without attributing it."""
    suggestion = _growth(plan, theme, due=due)
    note = (
        f" For you only: fewer than {plan.inputs.anonymity_threshold} reviewers outside the "
        "management chain raise it, so the engineer will not see this suggestion; adopt it as "
        "your own if you agree."
    )
    return suggestion.model_copy(update={"rationale": suggestion.rationale + note})


def _carried_over(current: list[ExpectationInput], theme: ThemeInput) -> ExpectationInput | None:
    """A current expectation about the same thing that was not met."""
    for expectation in sorted(current, key=lambda e: e.position):
        not_met = expectation.self_outcome in (Outcome.PARTIALLY_MET, Outcome.MISSED)
        remedial = expectation.kind is ExpectationKind.REMEDIAL
        if (not_met or remedial) and about(expectation.title, theme):
            return expectation
    return None


def _stability(plan: Plan, theme: ThemeInput | None) -> SuggestedExpectation:
    """Keep the top strength steady; with no strength theme, the level's first competency."""
    if theme is None:
        competency = next(iter(plan.level.expectations), "delivery")
        return from_level(plan, competency, stable=True)
    topic = topic_for(plan, theme)
    text = " ".join([theme.label, *(q.text for q in theme.representatives), topic.what])
    reviewers = count(theme.reviewers, "reviewer")
    return steady(
        plan,
        topic,
        title=stability_title(plan, topic, seen_by_reviewers=True),
        text=text,
        source=theme.label,
        answers=f"the strength {quoted(theme.label)} ({reviewers})",
        rationale=(
            f"Stability is a valid goal: {reviewers} name {quoted(theme.label)} as a strength, "
            "and keeping it steady deserves an expectation of its own rather than a stretch."
        ),
    )


def _next_name(level: LevelInput) -> str:
    key = level.next_level or "next"
    words = ["EM" if w == "em" else w for w in key.split("_")]
    name = " ".join(words)
    if level.track == "ic" and "engineer" not in name:
        name += " engineer"
    return name[:1].upper() + name[1:]


def _next_level(plan: Plan, strengths: list[ThemeInput]) -> SuggestedExpectation:
    top = strengths[0]
    text = " ".join([top.label, *(q.text for q in top.representatives)])
    following = plan.level.next_level_expectations
    topic, _ = match(text)
    competency = (
        topic.competency if topic and topic.competency in following else next(iter(following))
    )
    lines = following[competency]
    words = keywords(text)
    line = sorted(enumerate(lines), key=lambda il: (-len(keywords(il[1]) & words), il[0]))[0][1]
    name = _next_name(plan.level)
    base = (
        f"Practise one {name} expectation on a real piece of work by {day(plan.due)}: "
        f"“{line.rstrip('.')}”"
    )
    title, objective = with_objective(plan, base, text)
    measurable = (
        "At least 1 piece of work where the behaviour is visible, reviewed with your manager at "
        "mid-period and at the end, and 2 or more reviewers able to point to it."
    )
    return SuggestedExpectation(
        title=title,
        kind=ExpectationKind.NEXT_LEVEL,
        rationale=(
            f"Reviewers describe clear strengths, led by {quoted(top.label)}, and no growth area "
            f"outweighs them, so one expectation from the {name} description "
            f"({competency_name(competency).lower()}) gives room to practise wider scope "
            "without making the whole period a stretch."
        ),
        source=f"{name}: {competency_name(competency)}",
        smart=Smart(
            specific="It names one behaviour from the next level and asks for it on one real "
            "piece of work, not a new scope.",
            measurable=measurable,
            achievable="It is one behaviour on work you already have, with a more senior "
            "engineer reviewing the approach.",
            relevant=relevant(
                plan, f"the strength {quoted(top.label)}", (competency, line), objective
            ),
            time_bound=time_bound(plan, plan.due),
        ),
        due_on=plan.due,
        key_steps=[
            "Pick the piece of next period's work where this fits and agree it with your manager "
            "in the first two weeks",
            "Write down what good looks like, using the next level's description as the bar",
            "Ask a more senior engineer to review your approach before you start",
            "Keep the evidence as it happens (the doc, the decision, the result), not at the end",
            "Review at mid-period with your manager what went well and what to change",
        ],
    )


def _team_objective(plan: Plan, objective: str) -> SuggestedExpectation:
    due = day(plan.due)
    start = plan.inputs.next_period.starts_on
    months = max(1, round((plan.due - start).days / 30))
    title = {
        ACTIVITY: f"Pick up at least one ticket every sprint that moves “{objective}”, and say in "
        "stand-up which one",
        OWNERSHIP: f"Own one feature that moves “{objective}”, from a written plan to production "
        f"by {due}",
        OUTCOME: f"Deliver a measurable part of “{objective}” by {due}, with progress reported "
        "monthly against the objective's own measure",
        OBJECTIVE: f"Lead the technical work behind “{objective}” to completion by {due}, with "
        "milestones, owners and progress against its measure reviewed every month",
    }[plan.style]
    measurable = {
        ACTIVITY: "At least one ticket per sprint linked to the objective on the team board.",
        OWNERSHIP: "The feature in production by the due date, with its effect on the "
        "objective's measure reported.",
    }.get(
        plan.style,
        f"Progress against the objective's measure reported {months} times (monthly), and the "
        "agreed part delivered by the due date.",
    )
    if plan.style == ACTIVITY:
        steps = [
            "Ask your manager which tickets on the board move the objective",
            "Pick one of them at the start of every sprint",
            "Say in stand-up which ticket it is and when it will ship",
            "Check at the sprint review whether it moved the objective's measure",
        ]
    else:
        across = " across the teams involved" if plan.style == OBJECTIVE else ""
        steps = [
            f"Agree with your manager which part of “{objective}” you own and how progress is "
            "measured, in the first two weeks",
            f"Write a one-page plan with milestones, dependencies and owners{across}",
            "Name the top risks and the teams you depend on, and agree dates with them",
            "Record key decisions and their reasoning as you go",
            "Report progress against the objective's measure every month",
        ]
    competency = "ownership_and_impact"
    plan.used_competencies.add(competency)
    line = level_line(plan.level, competency, objective)
    rationale = f"Ties the period to the objective “{objective}”."
    if plan.style == OBJECTIVE:
        rationale += " At this level, expectations follow team and company objectives."
    return SuggestedExpectation(
        title=title,
        kind=ExpectationKind.TEAM_OBJECTIVE,
        rationale=rationale,
        source=objective,
        smart=Smart(
            specific=f"It names the objective and your part in it: {SCOPE[plan.style]}.",
            measurable=measurable,
            achievable=achievable(plan, f"your part in “{objective}”"),
            relevant=relevant(plan, f"the objective “{objective}”", line, None),
            time_bound=time_bound(plan, plan.due),
        ),
        due_on=plan.due,
        key_steps=steps,
    )
