"""/app/me: a person's own page. Their released synthesis, their expectations with key steps
(asking for and adopting suggested ones), their self-assessment; nothing unreleased.

Each block is read through the same `readable_*` select the API uses, filtered to the
viewer's own person, so the page can show no more than `GET /v1/...` would with their key.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from synth.auth.models import Role
from synth.cycles import presenting, self_assessments
from synth.cycles.expectations import readable_expectations
from synth.cycles.models import Expectation, ReviewPeriod, SelfAssessment
from synth.cycles.schemas import ExpectationOut, SelfAssessmentCreate
from synth.drafting import key_steps
from synth.drafting import service as drafting
from synth.drafting.models import Draft, DraftKind, KeyStepSuggestion
from synth.drafting.schemas import KeyStepSuggestionOut
from synth.errors import Forbidden, InvalidInput, SynthError
from synth.web.deps import FormDep, SessionDep, Viewer, ViewerDep
from synth.web.render import PREFIX, page, redirect

router = APIRouter(prefix=f"{PREFIX}/me", include_in_schema=False)
PERSON_ROLES = (Role.ENGINEER, Role.MANAGER, Role.THOUGHT_PARTNER)


@dataclass
class ExpectationView:
    """One expectation as its owner reads it, with the latest steps they were suggested."""

    expectation: ExpectationOut
    suggestion: KeyStepSuggestionOut | None


def _me(viewer: Viewer) -> uuid.UUID:
    viewer.require(*PERSON_ROLES)
    if viewer.person is None:
        raise Forbidden(
            "this page is a person's own: sign in with your personal key", code="no_person"
        )
    return viewer.person.id


def _periods(db: Session, me: uuid.UUID) -> list[ReviewPeriod]:
    """Periods the person has expectations or a self-assessment in, newest first."""
    mine = (
        select(Expectation.period_id)
        .where(Expectation.person_id == me)
        .union(select(SelfAssessment.period_id).where(SelfAssessment.person_id == me))
    )
    return list(
        db.scalars(
            select(ReviewPeriod)
            .where(ReviewPeriod.id.in_(mine))
            .order_by(ReviewPeriod.starts_on.desc(), ReviewPeriod.name)
        )
    )


def _chosen(periods: list[ReviewPeriod], wanted: uuid.UUID | None) -> ReviewPeriod | None:
    if wanted is None:
        return periods[0] if periods else None
    for period in periods:
        if period.id == wanted:
            return period
    raise InvalidInput("you have nothing in that period", code="unknown_period")


def _expectations(
    db: Session, viewer: Viewer, me: uuid.UUID, period: ReviewPeriod
) -> list[ExpectationView]:
    rows = db.scalars(
        readable_expectations(viewer.principal)
        .where(Expectation.person_id == me, Expectation.period_id == period.id)
        .order_by(None)
        .order_by(Expectation.position)
    ).all()
    latest: dict[uuid.UUID, KeyStepSuggestion] = {}
    suggestions = key_steps.readable_suggestions(viewer.principal).where(
        KeyStepSuggestion.expectation_id.in_([e.id for e in rows])
    )
    for suggestion in db.scalars(suggestions):  # newest first: keep the first of each
        latest.setdefault(suggestion.expectation_id, suggestion)
    return [
        ExpectationView(
            expectation=presenting.expectation_out(db, viewer.principal, e),
            suggestion=KeyStepSuggestionOut.of(latest[e.id]) if e.id in latest else None,
        )
        for e in rows
    ]


@dataclass
class Released:
    """What has been released to the person: in the period shown, the latest draft of each
    kind (its engineer's version); elsewhere, the periods with a synthesis to link to."""

    here: dict[str, Any]
    synthesis_in: set[uuid.UUID]


def _released(db: Session, viewer: Viewer, me: uuid.UUID, period: ReviewPeriod) -> Released:
    """One read of the person's released drafts, of every period."""
    found = Released(here={}, synthesis_in=set())
    statement = drafting.readable_drafts(viewer.principal).where(Draft.subject_id == me)
    for draft in db.scalars(statement):  # newest first
        if not drafting.is_engineer_view(viewer.principal, draft) or draft.released is None:
            continue
        if draft.period_id == period.id:
            found.here.setdefault(draft.kind.value, {"draft": draft, "content": draft.released})
        elif draft.kind is DraftKind.SYNTHESIS:
            found.synthesis_in.add(draft.period_id)
    return found


@router.get("", response_class=HTMLResponse)
def my_page(
    request: Request,
    db: SessionDep,
    viewer: ViewerDep,
    period_id: Annotated[uuid.UUID | None, Query(alias="period")] = None,
) -> HTMLResponse:
    return _render(request, db, viewer, period_id)


def _render(
    request: Request,
    db: Session,
    viewer: Viewer,
    period_id: uuid.UUID | None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    me = _me(viewer)
    periods = _periods(db, me)
    period = _chosen(periods, period_id)
    context: dict[str, Any] = {"periods": periods, "period": period, **extra}
    if period is not None:
        released = _released(db, viewer, me, period)
        own = db.scalars(
            self_assessments.readable_self_assessments(viewer.principal)
            .where(SelfAssessment.person_id == me, SelfAssessment.period_id == period.id)
            .order_by(None)
            .order_by(SelfAssessment.created_at)
        ).all()
        context.update(
            released_in=[p for p in periods if p.id in released.synthesis_in],
            synthesis=released.here.get(DraftKind.SYNTHESIS.value),
            suggestions=released.here.get(DraftKind.EXPECTATIONS.value),
            expectations=_expectations(db, viewer, me, period),
            overall=next((s for s in own if s.expectation_id is None), None),
            per_expectation={s.expectation_id: s for s in own if s.expectation_id},
            writable=period.status in self_assessments.WRITABLE_IN,
        )
    return page(request, "me/page.html", viewer, status_code=status_code, **context)


def _back(expectation: Expectation | None, notice: str) -> Response:
    if expectation is None:
        return redirect(f"{PREFIX}/me", notice)
    url = f"{PREFIX}/me?period={expectation.period_id}"
    return redirect(url, notice)


@router.post("/expectations/{expectation_id}/key-step-suggestions")
def ask_for_key_steps(
    expectation_id: uuid.UUID, request: Request, db: SessionDep, viewer: ViewerDep, _: FormDep
) -> Response:
    _me(viewer)
    suggestion = key_steps.request(
        db_session=db,
        principal=viewer.principal,
        expectation_id=expectation_id,
        drafter=request.app.state.drafter_name,
    )
    return _back(db.get(Expectation, suggestion.expectation_id), "key_steps_suggested")


@router.post("/key-step-suggestions/{suggestion_id}/adopt")
def adopt_key_step(
    suggestion_id: uuid.UUID, db: SessionDep, viewer: ViewerDep, form: FormDep
) -> Response:
    _me(viewer)
    try:
        index = int(form.get("step", ""))
    except ValueError as exc:
        raise InvalidInput("choose a step to adopt", code="invalid_step") from exc
    step = key_steps.adopt(
        db_session=db, principal=viewer.principal, suggestion_id=suggestion_id, step=index
    )
    return _back(db.get(Expectation, step.expectation_id), "key_step_adopted")


@router.post("/self-assessments")
def write_self_assessment(
    request: Request, db: SessionDep, viewer: ViewerDep, form: FormDep
) -> Response:
    """The overall self-assessment, or one expectation's with its outcome. A refusal shows the
    page again with what was typed still in the form, and the reason beside it."""
    _me(viewer)
    try:
        period_id = uuid.UUID(form.get("period_id", ""))
    except ValueError as exc:
        raise InvalidInput("choose a period", code="unknown_period") from exc
    fields = {k: v for k, v in form.items() if k in ("expectation_id", "outcome", "text") and v}
    try:
        try:
            data = SelfAssessmentCreate.model_validate({"period_id": period_id, **fields})
        except ValidationError as exc:
            problems = "; ".join(e["msg"] for e in exc.errors())
            raise InvalidInput(
                f"the self-assessment is not complete: {problems}", code="invalid_self_assessment"
            ) from exc
        with db.begin_nested():
            self_assessments.create(db_session=db, principal=viewer.principal, data=data)
    except SynthError as exc:
        typed = {"for": form.get("expectation_id", ""), "text": form.get("text", "")}
        return _render(
            request,
            db,
            viewer,
            period_id,
            status_code=exc.status,
            problem={"code": exc.code, "message": exc.message, **typed},
        )
    return redirect(f"{PREFIX}/me?period={period_id}", "self_assessment_saved")
