"""Key steps on demand: an engineer (or their management chain) asks for suggested key steps
for one of the engineer's own expectations, reads them at once and adopts them one by one.

A lighter gate than drafts have, made safe by what goes in and who sees what comes out: the
inputs are the expectation, the level and the engineer's own self-assessment (never anyone's
feedback, `gather.key_step_inputs`); a suggestion is readable by whoever asked and nobody else
(`readable_suggestions`), so the manager never sees the engineer's unadopted steps nor the
engineer the manager's; a step a blocking guard finding names is never shown
(`gate.key_steps`). Only adopting a step writes to the expectation, through the same
`expectations.add_key_step` every other path uses (a locked expectation keeps its
agreed steps and takes new ones until the period closes).
"""

import uuid
from dataclasses import asdict

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from synth.audit.service import record, snapshot
from synth.auth.principal import Principal
from synth.auth.scope import manages
from synth.cycles import expectations
from synth.cycles.models import Expectation, KeyStep, PeriodStatus, ReviewPeriod
from synth.cycles.schemas import KeyStepIn
from synth.db.queries import visible_one
from synth.drafting.factory import get_drafter
from synth.drafting.gate.key_steps import gate
from synth.drafting.gather import key_step_inputs
from synth.drafting.inputs import inputs_hash
from synth.drafting.models import KeyStepSuggestion
from synth.errors import Conflict, Forbidden, InvalidInput
from synth.guards.two_track import ladder_terms
from synth.people.ladder import list_levels
from synth.people.models import Person
from synth.people.names import people_named_in


def readable_suggestions(principal: Principal) -> Select[KeyStepSuggestion]:
    """Only the person who asked reads a suggestion: nothing reaches anyone else until a step
    is adopted into the expectation."""
    if principal.person_id is None:
        return select(KeyStepSuggestion).where(false())
    return (
        select(KeyStepSuggestion)
        .where(KeyStepSuggestion.requested_by_id == principal.person_id)
        .order_by(KeyStepSuggestion.created_at.desc(), KeyStepSuggestion.id)
    )


def get(
    *, db_session: Session, principal: Principal, suggestion_id: uuid.UUID
) -> KeyStepSuggestion:
    found: KeyStepSuggestion = visible_one(
        db_session,
        readable_suggestions(principal).where(KeyStepSuggestion.id == suggestion_id),
        message=f"no key step suggestion with id {suggestion_id}",
        code="key_step_suggestion_not_found",
    )
    return found


def _require_owner_or_chain(
    db_session: Session, principal: Principal, expectation: Expectation
) -> None:
    """The engineer, for their own expectation, or someone in their management chain."""
    if principal.person_id is None:
        raise Forbidden(
            "key steps are asked for by a person: use a key bound to one",
            code="key_steps_forbidden",
        )
    if principal.person_id == expectation.person_id:
        return
    in_chain = db_session.scalar(
        select(Person.id).where(Person.id == expectation.person_id, manages(principal, Person.id))
    )
    if in_chain is None:
        raise Forbidden(
            "only the engineer or their management chain may ask for key steps for this "
            "expectation",
            code="key_steps_forbidden",
        )


def _require_open(db_session: Session, expectation: Expectation) -> None:
    """Steps can be added until the period closes: a locked expectation keeps the steps it was
    agreed with and takes new ones (`expectations.add_key_step`)."""
    period = db_session.get(ReviewPeriod, expectation.period_id)
    if period is None or period.status is PeriodStatus.CLOSED:
        raise Conflict(
            "the period is closed: its expectations take no new key steps",
            code="period_not_open",
        )


def request(
    *, db_session: Session, principal: Principal, expectation_id: uuid.UUID, drafter: str
) -> KeyStepSuggestion:
    """Draft key steps for one expectation and keep them for the requester.

    The same inputs, drafter and rules give back the suggestion already drafted for this
    requester rather than a second one.
    """
    expectation = expectations.get(
        db_session=db_session, principal=principal, expectation_id=expectation_id
    )
    _require_owner_or_chain(db_session, principal, expectation)
    _require_open(db_session, expectation)
    inputs = key_step_inputs(db_session, expectation)
    chosen = get_drafter(drafter)
    prompt_version = chosen.prompt_ref("key_steps")
    digest = inputs_hash(inputs, prompt_version=prompt_version, model=chosen.name)
    cached = db_session.scalar(
        readable_suggestions(principal).where(
            KeyStepSuggestion.expectation_id == expectation.id,
            KeyStepSuggestion.inputs_hash == digest,
        )
    )
    if cached is not None:
        return cached
    drafted = chosen.key_steps(inputs)
    written = [t for s in drafted.output.steps for t in (s.text, s.why)]
    # Anyone a step names, whether the inputs mention them or the drafter made them up.
    people = [*inputs.people, *people_named_in(db_session, written)]
    levels = list_levels(db_session)
    suggestion = KeyStepSuggestion(
        expectation_id=expectation.id,
        subject_id=expectation.person_id,
        requested_by_id=principal.person_id,
        drafter=chosen.name,
        model=drafted.model,
        prompt_version=drafted.prompt_version,
        inputs_hash=digest,
        steps=gate(
            drafted.output,
            inputs,
            people=people,
            ladder=ladder_terms(levels) if levels else None,
        ),
        adopted={},
        usage=asdict(drafted.usage),
    )
    db_session.add(suggestion)
    record(db_session, principal=principal, action="key_step_suggestion.created", entity=suggestion)
    return suggestion


def adopt(
    *, db_session: Session, principal: Principal, suggestion_id: uuid.UUID, step: int
) -> KeyStep:
    """Append one suggested step to the expectation's key steps, once."""
    suggestion: KeyStepSuggestion = visible_one(
        db_session,
        readable_suggestions(principal)
        .where(KeyStepSuggestion.id == suggestion_id)
        .with_for_update(),  # two adoptions of one step: the second waits, then sees the first
        message=f"no key step suggestion with id {suggestion_id}",
        code="key_step_suggestion_not_found",
    )
    if not 0 <= step < len(suggestion.steps):
        raise InvalidInput(
            f"this suggestion has steps 0 to {len(suggestion.steps) - 1}, not {step}",
            code="unknown_step",
        )
    entry = suggestion.steps[step]
    if not entry["shown"]:
        raise Conflict(
            "this step is withheld: a guard found something in it that must not be shown",
            code="step_withheld",
        )
    if str(step) in suggestion.adopted:
        raise Conflict(
            f"step {step} is already adopted as key step {suggestion.adopted[str(step)]}",
            code="step_already_adopted",
        )
    # Serialise key steps added to one expectation from several suggestions at once.
    db_session.execute(
        select(Expectation.id).where(Expectation.id == suggestion.expectation_id).with_for_update()
    )
    key_step = expectations.add_key_step(
        db_session=db_session,
        principal=principal,
        expectation_id=suggestion.expectation_id,
        data=KeyStepIn(text=entry["text"]),
    )
    before = snapshot(suggestion)
    suggestion.adopted = {**suggestion.adopted, str(step): str(key_step.id)}
    record(
        db_session,
        principal=principal,
        action="key_step_suggestion.adopted",
        entity=suggestion,
        before=before,
    )
    return key_step
