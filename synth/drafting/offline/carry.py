"""Carrying this period's unfinished expectations into the next one.

An expectation the self-assessment calls partly met or missed (or, without one, whose key
steps are not all done) is worth finishing before new scope is added. The suggestion quotes
it, so it says exactly what it answers; its `source` is the level competency it falls under,
a form the release projection lets the engineer see.
"""

from synth.cycles.models import ExpectationKind, Outcome
from synth.drafting.inputs import ExpectationInput
from synth.drafting.offline.plan import (
    Plan,
    achievable,
    competency_name,
    level_line,
    relevant,
    time_bound,
    with_objective,
)
from synth.drafting.offline.text import clip, day, number
from synth.drafting.offline.topics import ACTIVITY, OBJECTIVE, OUTCOME, OWNERSHIP
from synth.drafting.outputs import Smart, SuggestedExpectation

_SAID = {Outcome.MET: "met", Outcome.PARTIALLY_MET: "partly met", Outcome.MISSED: "missed"}


def unfinished(plan: Plan) -> list[ExpectationInput]:
    """This period's expectations that are not done (by the self-assessment, or by key steps
    when there is none) and that no suggestion builds on yet."""
    found = []
    for expectation in plan.current:
        if expectation.title.strip().rstrip(".") in plan.cited:
            continue
        outcome = expectation.self_outcome
        steps_left = expectation.key_steps_done < expectation.key_steps_total
        if outcome in (Outcome.PARTIALLY_MET, Outcome.MISSED) or (outcome is None and steps_left):
            found.append(expectation)
    return found


_FINISH = {  # worded in the ladder's style for the level, as the topics are
    ACTIVITY: "Finish “{title}” by {due}, one agreed task at a time, keeping the ticket status "
    "current and saying early when a step will slip",
    OWNERSHIP: "Own what remains of “{title}” through to release by {due}, from a written plan "
    "you keep current",
    OUTCOME: "Deliver what remains of “{title}” by {due} as a project you lead, with the result "
    "measured against its original target",
    OBJECTIVE: "Lead what remains of “{title}” to completion across the teams involved by {due}, "
    "with milestones and owners agreed",
}


def carry_over(plan: Plan, expectation: ExpectationInput) -> SuggestedExpectation:
    """An expectation of this period that is not done, carried into the next one."""
    title_text = expectation.title.strip().rstrip(".")
    plan.cited.add(title_text)
    base = _FINISH[plan.style].format(title=title_text, due=day(plan.due))
    title, objective = (
        with_objective(plan, base, title_text) if plan.objective_style else (base, None)
    )
    said = (
        f"the self-assessment calls it {_SAID[expectation.self_outcome]}"
        if expectation.self_outcome is not None
        else "it has no self-assessment"
    )
    steps = (
        f"{number(expectation.key_steps_done)} of {number(expectation.key_steps_total)} key "
        "steps are done"
        if expectation.key_steps_total
        else "it has no key steps recorded"
    )
    missed = expectation.self_outcome is Outcome.MISSED
    what = f"what remains of “{clip(title_text, 80)}”"
    line = level_line(plan.level, "delivery", title_text)
    # The source is the level competency it answers (a form the release projection lets the
    # engineer see); the title and rationale cite the expectation itself.
    competency = line[0] if line is not None else "delivery"
    return SuggestedExpectation(
        title=title,
        kind=ExpectationKind.REMEDIAL if missed else ExpectationKind.GROWTH,
        rationale=(
            f"Carries on from this period's expectation “{title_text}”: {said}, and {steps}. "
            "Finishing it comes before adding new scope."
        ),
        source=f"{plan.level.name}: {competency_name(competency)}",
        smart=Smart(
            specific=f"It names one unfinished expectation and asks for {what}.",
            measurable=(
                f"All {number(expectation.key_steps_total)} key steps done by the due date, "
                "with the outcome checked against the original expectation."
                if expectation.key_steps_total
                else "The remaining work listed in 1 written plan in the first 2 weeks, and "
                "every item on it done by the due date."
            ),
            achievable=achievable(plan, what),
            relevant=relevant(plan, f"the unfinished expectation “{title_text}”", line, objective),
            time_bound=time_bound(plan, plan.due),
        ),
        due_on=plan.due,
        key_steps=[
            f"List with your manager what is left of “{clip(title_text, 80)}” and what held it up",
            "Agree a date for each remaining piece, earliest risk first",
            "Name what you need from others to finish, and ask for it in the first two weeks",
            f"Check progress on {what} at every 1:1 and re-plan in the open if a date moves",
        ],
    )
