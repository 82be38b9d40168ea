"""Bad input on every write endpoint: a 4xx JSON error with a stable code, nothing changed.

Malformed JSON, unknown fields, wrong types, missing fields, blank and oversized text,
unknown ids, feedback about oneself, duplicates, locked records, bad, revoked or expired
keys, oversized bodies and idempotent retries. Every error case compares the whole database
before and after the request: a refused request leaves no trace, not even an audit event.
"""

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from synth.auth.models import ApiKey, Role
from synth.auth.principal import Principal
from synth.auth.service import create_key
from synth.cycles.models import (
    Expectation,
    ExpectationStatus,
    FeedbackRequest,
    PeerFeedback,
    PeriodStatus,
    Relationship,
    ReviewPeriod,
    SelfAssessment,
)
from synth.db.base import Base, load_all_models, utcnow
from synth.schemas import MAX_TEXT_CHARS
from synth.talent.models import TalentAssessment
from tests import factories as f

load_all_models()

BLANK = "  \t\n  "
TOO_LONG = "x" * (MAX_TEXT_CHARS + 1)
MAX_BODY_BYTES = 2_000_000
STORED_FEEDBACK = "Thorough code reviews on the ledger service caught two bugs before release."
NEW_FEEDBACK = "Paired with me on the flaky payment tests and wrote up the root cause clearly."
PEOPLE = ("director", "manager", "other_manager", "engineer", "teammate", "outsider", "pm")

Json = Any
FieldPath = tuple[str | int, ...]


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """An org with a period in review, one in planning, one closed, and stored records."""

    org: f.Org
    planning: ReviewPeriod
    closed: ReviewPeriod
    exp: Expectation  # the engineer's, in planning, proposed
    locked: Expectation  # the engineer's, in the period under review, locked
    closed_exp: Expectation  # the engineer's, in the closed period
    full: Expectation  # the teammate's first of five in planning, with 10 key steps
    feedback: PeerFeedback  # teammate -> engineer, in the period under review
    assessment: TalentAssessment  # of the engineer by the manager

    def auth(self, who: str) -> dict[str, str]:
        return self.org.auth(who)

    def refs(self) -> dict[str, str]:
        """Names usable as {placeholders} in paths and as ref() values in bodies."""
        o = self.org
        return {
            **{name: str(getattr(o, name).id) for name in PEOPLE},
            **{f"{name}_email": getattr(o, name).email for name in PEOPLE},
            "review": str(o.period.id),
            "planning": str(self.planning.id),
            "planning_name": self.planning.name,
            "closed": str(self.closed.id),
            "exp": str(self.exp.id),
            "step": str(self.exp.key_steps[0].id),
            "locked": str(self.locked.id),
            "locked_step": str(self.locked.key_steps[0].id),
            "closed_exp": str(self.closed_exp.id),
            "closed_step": str(self.closed_exp.key_steps[0].id),
            "full": str(self.full.id),
            "feedback": str(self.feedback.id),
            "assessment": str(self.assessment.id),
            "admin_prefix": self.auth("admin")["Authorization"].split("_")[1],
            "new": f.uid(),  # an id nothing has
        }


@pytest.fixture
def world(db: Session) -> World:
    o = f.org(db)
    planning = f.period(db, status=PeriodStatus.PLANNING)
    closed = f.period(db, status=PeriodStatus.CLOSED)
    exp = f.expectation(db, o.engineer, planning)
    locked = f.expectation(db, o.engineer, o.period, title="Keep the ledger error budget")
    locked.status = ExpectationStatus.LOCKED
    closed_exp = f.expectation(db, o.engineer, closed, title="Migrate the billing cron jobs")
    full = [
        f.expectation(
            db,
            o.teammate,
            planning,
            position=n,
            title=f"Teammate goal {n}",
            steps=tuple(f"Step {s}" for s in range(1, 11)) if n == 1 else ("One step",),
        )
        for n in range(1, 6)
    ]
    fb = f.feedback(db, o.teammate, o.engineer, o.period, text=STORED_FEEDBACK)
    ta = f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    db.add(SelfAssessment(period_id=o.period.id, person_id=o.engineer.id, text="I shipped it."))
    db.add(
        FeedbackRequest(
            period_id=o.period.id,
            subject_id=o.engineer.id,
            reviewer_id=o.teammate.id,
            requested_by_id=o.manager.id,
            relationship=Relationship.PEER,
        )
    )
    db.flush()
    return World(o, planning, closed, exp, locked, closed_exp, full[0], fb, ta)


Stored = dict[str, list[tuple[Any, ...]]]


def stored(db: Session) -> Stored:
    """Every row of every table, in primary-key order: the whole stored state."""

    def plain(value: Any) -> Any:
        return value.tolist() if hasattr(value, "tolist") else value  # vectors

    return {
        table.name: [
            tuple(plain(v) for v in row)
            for row in db.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in Base.metadata.sorted_tables
    }


def count(db: Session, model: type[Base]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


# --------------------------------------------------------------------------- requests

Body = Callable[[World], Json]
Headers = Callable[[World], dict[str, str]]


@dataclass(frozen=True)
class Raw:
    """A body sent as these bytes, not JSON-encoded by the client."""

    content: bytes
    content_type: str | None = "application/json"


def ref(name: str) -> Body:
    """A value taken from the world when the request is built (see World.refs)."""
    return lambda w: w.refs()[name]


def raw(content: bytes, content_type: str | None = "application/json") -> Body:
    return lambda _w: Raw(content, content_type)


def resolve(value: Json, w: World) -> Json:
    if callable(value):
        return value(w)
    if isinstance(value, list):
        return [resolve(v, w) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, w) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Case:
    """One bad request and the error it must get."""

    id: str
    who: str | None  # a principal of the org; None sends no Authorization header
    method: str
    path: str  # with {placeholders} from World.refs
    body: Body | None
    status: int
    code: str
    headers: Headers | None = None


def send(
    client: TestClient,
    w: World,
    *,
    who: str | None,
    method: str,
    path: str,
    body: Body | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    all_headers = {**(w.auth(who) if who else {}), **(headers or {})}
    url = path.format(**w.refs())
    if body is None:
        return client.request(method, url, headers=all_headers)
    value = body(w)
    if isinstance(value, Raw):
        if value.content_type:
            all_headers["Content-Type"] = value.content_type
        return client.request(method, url, headers=all_headers, content=value.content)
    return client.request(method, url, headers=all_headers, json=value)


def send_case(client: TestClient, w: World, case: Case) -> Response:
    headers = case.headers(w) if case.headers else None
    return send(
        client, w, who=case.who, method=case.method, path=case.path, body=case.body, headers=headers
    )


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    """A JSON error body with the expected status, stable code and a readable message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert set(body) <= {"code", "message", "details"}, body
    return body


# --------------------------------------------------------------------------- valid bodies


def person_body(w: World, **over: Json) -> Json:
    return {
        "email": "nia.new@example.test",
        "name": "Nia New",
        "start_date": "2026-03-02",
        "manager": w.org.manager.email,
        **over,
    }


def period_body(w: World, **over: Json) -> Json:
    base = {"name": "2027 H1", "kind": "half_year", "starts_on": "2027-01-01"}
    return {**base, "ends_on": "2027-06-30", **over}


def expectation_body(w: World, **over: Json) -> Json:
    return {
        "period_id": str(w.planning.id),
        "person_id": str(w.org.engineer.id),
        "title": "Run the Q3 incident review programme",
        "kind": "growth",
        "key_steps": [{"text": "Draft the review template"}],
        **over,
    }


def self_assessment_body(w: World, **over: Json) -> Json:
    return {"period_id": str(w.org.period.id), "text": "I led the ledger migration.", **over}


def feedback_body(w: World, **over: Json) -> Json:
    return {
        "period_id": str(w.org.period.id),
        "subject_id": str(w.org.engineer.id),
        "relationship": "peer",
        "text": NEW_FEEDBACK,
        **over,
    }


def bulk_row(w: World, **over: Json) -> Json:
    return {
        "author": w.org.pm.email,
        "subject": w.org.teammate.email,
        "relationship": "cross_functional",
        "text": "Clear release notes for the checkout launch, every time.",
        **over,
    }


def bulk_body(w: World, *rows: Json, **over: Json) -> Json:
    return {"period": str(w.org.period.id), "items": list(rows) or [bulk_row(w)], **over}


def request_body(w: World, **over: Json) -> Json:
    return {
        "period_id": str(w.org.period.id),
        "subject_id": str(w.org.engineer.id),
        "reviewer_id": str(w.org.pm.id),
        "relationship": "cross_functional",
        "message": "Could you share how the checkout launch went from your side?",
        **over,
    }


def assessment_body(w: World, **over: Json) -> Json:
    return {
        "period_id": str(w.org.period.id),
        "subject_id": str(w.org.teammate.id),
        "level_alignment": "exceeding",
        "confidence": "high",
        "strengths": ["Led the ledger migration"],
        **over,
    }


def fixed(value: Json) -> Body:
    return lambda _w: copy.deepcopy(value)


# --------------------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class Target:
    """A write endpoint, who may call it, and a body it accepts."""

    method: str
    path: str
    who: str
    body: Body
    ok: int = 201


PERSON = Target("POST", "/v1/people", "hr", person_body)
PERSON_EDIT = Target("PATCH", "/v1/people/{engineer}", "hr", fixed({"name": "Eli R"}), 200)
PERIOD = Target("POST", "/v1/periods", "hr", period_body)
TRANSITION = Target(
    "POST",
    "/v1/periods/{planning}/transition",
    "hr",
    # Nobody in the world has 3 agreed expectations: HR starts the period regardless.
    fixed({"status": "active", "force": True, "reason": "test org"}),
    200,
)
EXPECTATION = Target("POST", "/v1/expectations", "manager", expectation_body)
EXPECTATION_EDIT = Target(
    "PATCH", "/v1/expectations/{exp}", "engineer", fixed({"title": "Run the reviews"}), 200
)
KEY_STEP = Target(
    "POST", "/v1/expectations/{exp}/key-steps", "engineer", fixed({"text": "Book the room"})
)
TICK = Target(
    "PATCH", "/v1/expectations/{exp}/key-steps/{step}", "engineer", fixed({"done": True}), 200
)
SELF_ASSESSMENT = Target("POST", "/v1/self-assessments", "teammate", self_assessment_body)
FEEDBACK = Target("POST", "/v1/feedback", "teammate", feedback_body)
BULK = Target("POST", "/v1/feedback/bulk", "hr", bulk_body)
REQUEST = Target("POST", "/v1/feedback-requests", "manager", request_body)
ASSESSMENT = Target("POST", "/v1/talent-assessments", "manager", assessment_body)
ASSESSMENT_EDIT = Target(
    "PATCH",
    "/v1/talent-assessments/{assessment}",
    "manager",
    fixed({"confidence": "high", "development_needs": ["Write design docs earlier"]}),
    200,
)
KEY = Target(
    "POST", "/v1/keys", "admin", fixed({"role": "hr", "name": "sync", "expires_in_days": 9})
)


@dataclass(frozen=True)
class Schema:
    """The fields a write endpoint's schema constrains, for generated violations."""

    name: str
    target: Target
    required: tuple[FieldPath, ...] = ()
    text: tuple[FieldPath, ...] = ()  # required text: blank or empty is refused
    limited: tuple[FieldPath, ...] = ()  # text with a documented size limit
    wrong: tuple[tuple[FieldPath, Json], ...] = ()


ROW: FieldPath = ("items", 0)
SCHEMAS = (
    Schema(
        "create-person",
        PERSON,
        required=(("email",), ("name",), ("start_date",)),
        text=(("email",), ("name",)),
        limited=(("email",), ("name",), ("title",)),
        wrong=((("start_date",), "next tuesday"), (("name",), 42), (("function",), "astrology")),
    ),
    Schema(
        "update-person",
        PERSON_EDIT,
        text=(("name",),),
        limited=(("name",), ("title",)),
        wrong=((("name",), ["Eli"]), (("track",), 7), (("title",), {"en": "x"})),
    ),
    Schema(
        "create-period",
        PERIOD,
        required=(("name",), ("kind",), ("starts_on",), ("ends_on",)),
        text=(("name",),),
        limited=(("name",),),
        wrong=((("starts_on",), "2027-02-30"), (("kind",), "fortnight"), (("ends_on",), True)),
    ),
    Schema(
        "transition-period",
        TRANSITION,
        required=(("status",),),
        wrong=((("status",), 2), (("status",), "paused"), (("status",), ["active"])),
    ),
    Schema(
        "create-expectation",
        EXPECTATION,
        required=(("period_id",), ("person_id",), ("title",), ("kind",), ("key_steps", 0, "text")),
        text=(("title",), ("key_steps", 0, "text")),
        limited=(("title",), ("description",), ("key_steps", 0, "text")),
        wrong=(
            (("period_id",), "not-a-uuid"),
            (("person_id",), 12345),
            (("key_steps",), "write the doc"),
            (("due_on",), "soon"),
            (("title",), {"en": "x"}),
        ),
    ),
    Schema(
        "update-expectation",
        EXPECTATION_EDIT,
        text=(("title",),),
        limited=(("title",), ("description",)),
        wrong=(
            (("kind",), "vibes"),
            (("title",), 3.5),
            (("due_on",), [2026]),
            (("due_on",), 0.0),  # not 1970-01-01
        ),
    ),
    Schema(
        "add-key-step",
        KEY_STEP,
        required=(("text",),),
        text=(("text",),),
        limited=(("text",),),
        wrong=((("text",), 12), (("done",), "maybe"), (("text",), None)),
    ),
    Schema(
        "tick-key-step",
        TICK,
        required=(("done",),),
        wrong=(
            (("done",), "maybe"),
            (("done",), None),
            (("done",), [True]),
            (("done",), 0.0),  # not "no"
            (("done",), 1),
        ),
    ),
    Schema(
        "create-self-assessment",
        SELF_ASSESSMENT,
        required=(("period_id",), ("text",)),
        text=(("text",),),
        limited=(("text",),),
        wrong=((("outcome",), "great"), (("expectation_id",), 5), (("text",), ["I did"])),
    ),
    Schema(
        "submit-feedback",
        FEEDBACK,
        required=(("period_id",), ("subject_id",), ("relationship",), ("text",)),
        text=(("text",),),
        limited=(("text",), ("role_fit",), ("growth_potential",)),
        wrong=(
            (("relationship",), "friend"),
            (("subject_id",), 42),
            (("text",), True),
            (("expectation_answers",), {"position": 1}),
        ),
    ),
    Schema(
        "bulk-feedback",
        BULK,
        required=(("items",), (*ROW, "author"), (*ROW, "subject"), (*ROW, "relationship")),
        text=((*ROW, "text"), (*ROW, "author"), (*ROW, "subject")),
        limited=((*ROW, "text"), (*ROW, "author"), (*ROW, "role_fit")),
        wrong=(
            (("items",), {"author": "x"}),
            ((*ROW, "relationship"), 1),
            (("period",), 2026),
            (ROW, "pm -> teammate: great"),
        ),
    ),
    Schema(
        "request-feedback",
        REQUEST,
        required=(("period_id",), ("subject_id",), ("reviewer_id",), ("relationship",)),
        limited=(("message",),),
        wrong=((("reviewer_id",), ["x"]), (("relationship",), "nemesis"), (("message",), 7)),
    ),
    Schema(
        "create-assessment",
        ASSESSMENT,
        required=(("period_id",), ("subject_id",), ("level_alignment",), ("confidence",)),
        text=(("strengths", 0),),
        limited=(("strengths", 0), ("coaching_plan",)),
        wrong=(
            (("strengths",), "all of them"),
            (("confidence",), 0.9),
            (("level_alignment",), "above"),
            (("thought_partner_id",), "Theo"),
        ),
    ),
    Schema(
        "update-assessment",
        ASSESSMENT_EDIT,
        text=(("development_needs", 0),),
        limited=(("development_needs", 0), ("coaching_plan",)),
        wrong=((("confidence",), "certain"), (("thought_partner_id",), "Theo")),
    ),
    Schema(
        "create-key",
        KEY,
        required=(("role",),),
        limited=(("name",),),
        wrong=((("role",), "root"), (("expires_in_days",), "thirty"), (("person_id",), 7)),
    ),
)


def with_value(body: Json, path: FieldPath, value: Json) -> Json:
    out = copy.deepcopy(body)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


def without(body: Json, path: FieldPath) -> Json:
    out = copy.deepcopy(body)
    target = out
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return out


def _changed(body: Body, change: Callable[[Json], Json]) -> Body:
    return lambda w: change(body(w))


def _set_at(path: FieldPath, value: Json) -> Callable[[Json], Json]:
    return lambda b: with_value(b, path, value)


def _drop_at(path: FieldPath) -> Callable[[Json], Json]:
    return lambda b: without(b, path)


def schema_cases(s: Schema) -> list[Case]:
    """Every schema violation that applies to one endpoint."""
    t = s.target

    def case(suffix: str, body: Body, status: int = 422, code: str = "invalid_request") -> Case:
        return Case(f"{s.name}:{suffix}", t.who, t.method, t.path, body, status, code)

    def dotted(path: FieldPath) -> str:
        return ".".join(str(p) for p in path)

    cases = [
        case("malformed-json", raw(b'{"text": "unterminated'), 400, "malformed_json"),
        case("trailing-comma", raw(b'{"status": "active",}'), 400, "malformed_json"),
        case("unknown-field", _changed(t.body, lambda b: {**b, "surprise": True})),
        case("body-is-a-list", _changed(t.body, lambda b: [b])),
        case("body-is-a-string", fixed("hello")),
        case("body-is-null", raw(b"null")),
        case("empty-body", raw(b"")),
    ]
    cases += [case(f"missing-{dotted(p)}", _changed(t.body, _drop_at(p))) for p in s.required]
    cases += [
        case(f"wrong-type-{dotted(p)}={v!r}", _changed(t.body, _set_at(p, v))) for p, v in s.wrong
    ]
    cases += [case(f"blank-{dotted(p)}", _changed(t.body, _set_at(p, BLANK))) for p in s.text]
    cases += [case(f"empty-{dotted(p)}", _changed(t.body, _set_at(p, ""))) for p in s.text]
    cases += [
        case(f"oversized-{dotted(p)}", _changed(t.body, _set_at(p, TOO_LONG))) for p in s.limited
    ]
    return cases


SCHEMA_CASES = [c for s in SCHEMAS for c in schema_cases(s)]


# --------------------------------------------------------------------------- domain errors


def err(
    id: str,
    t: Target,
    over: dict[str, Json] | Body | None,
    status: int,
    code: str,
    *,
    who: str | None = None,
    path: str | None = None,
) -> Case:
    """`t` called with its valid body changed by `over` (a dict of fields, or a whole body)."""
    body: Body
    if over is None:
        body = t.body
    elif isinstance(over, dict):
        changes = over
        body = lambda w: {**t.body(w), **resolve(changes, w)}  # noqa: E731
    else:
        body = over
    return Case(id, who or t.who, t.method, path or t.path, body, status, code)


def req(
    id: str,
    who: str | None,
    method: str,
    path: str,
    status: int,
    code: str,
    body: Body | None = None,
) -> Case:
    """A request with no body (or a fixed one) to a path."""
    return Case(id, who, method, path, body, status, code)


NEW = ref("new")
LOCKED_PATH = "/v1/expectations/{locked}"
DOMAIN_CASES = [
    # people
    err(
        "person:duplicate-email", PERSON, {"email": ref("engineer_email")}, 409, "duplicate_person"
    ),
    err(
        "person:duplicate-email-other-case",
        PERSON,
        {"email": lambda w: f"  {w.org.engineer.email.upper()} "},
        409,
        "duplicate_person",
    ),
    err("person:unknown-manager-id", PERSON, {"manager": NEW}, 422, "unknown_person"),
    err("person:unknown-manager", PERSON, {"manager": "ghost@x.test"}, 422, "unknown_person"),
    err("person:unknown-level", PERSON, {"level": "wizard"}, 422, "unknown_level"),
    err("person:not-an-email", PERSON, {"email": "nia at example"}, 422, "invalid_request"),
    err("person:by-engineer", PERSON, None, 403, "forbidden", who="engineer"),
    err("person:edit-unknown", PERSON_EDIT, None, 404, "person_not_found", path="/v1/people/{new}"),
    err("person:edit-bad-id", PERSON_EDIT, None, 422, "invalid_request", path="/v1/people/eli"),
    err("person:own-manager", PERSON_EDIT, {"manager": ref("engineer_email")}, 422, "org_cycle"),
    err(
        "person:report-as-manager",
        PERSON_EDIT,
        {"manager": ref("engineer")},
        422,
        "org_cycle",
        path="/v1/people/{manager}",
    ),
    err("person:edit-unknown-manager", PERSON_EDIT, {"manager": NEW}, 422, "unknown_person"),
    err("person:edit-unknown-level", PERSON_EDIT, {"level": "wizard"}, 422, "unknown_level"),
    err("person:edit-by-manager", PERSON_EDIT, None, 403, "forbidden", who="manager"),
    # periods
    err(
        "period:duplicate-name",
        PERIOD,
        {"name": lambda w: w.org.period.name},
        409,
        "duplicate_period",
    ),
    err("period:ends-before-start", PERIOD, {"ends_on": "2026-12-31"}, 422, "invalid_request"),
    err("period:zero-length", PERIOD, {"ends_on": "2027-01-01"}, 422, "invalid_request"),
    err("period:by-manager", PERIOD, None, 403, "forbidden", who="manager"),
    err(
        "transition:unknown-period",
        TRANSITION,
        None,
        404,
        "period_not_found",
        path="/v1/periods/{new}/transition",
    ),
    err("transition:skips-a-phase", TRANSITION, {"status": "in_review"}, 409, "invalid_transition"),
    err(
        "transition:backwards",
        TRANSITION,
        {"status": "planning"},
        409,
        "invalid_transition",
        path="/v1/periods/{review}/transition",
    ),
    err(
        "transition:same-phase",
        TRANSITION,
        {"status": "in_review"},
        409,
        "invalid_transition",
        path="/v1/periods/{review}/transition",
    ),
    err(
        "transition:past-closed",
        TRANSITION,
        {"status": "closed"},
        409,
        "invalid_transition",
        path="/v1/periods/{closed}/transition",
    ),
    err("transition:by-manager", TRANSITION, None, 403, "forbidden", who="manager"),
    # expectations and key steps
    err("expectation:unknown-period", EXPECTATION, {"period_id": NEW}, 422, "unknown_period"),
    err("expectation:unknown-person", EXPECTATION, {"person_id": NEW}, 422, "unknown_person"),
    err(
        "expectation:period-under-review",
        EXPECTATION,
        {"period_id": ref("review")},
        409,
        "expectations_locked",
    ),
    err(
        "expectation:onboarding-without-due-on",
        EXPECTATION,
        {"kind": "onboarding"},
        422,
        "due_on_required",
    ),
    err(
        "expectation:onboarding-too-long",
        EXPECTATION,
        {"kind": "onboarding", "due_on": "2026-12-01"},
        422,
        "onboarding_too_long",
    ),
    err(
        "expectation:sixth-for-the-period",
        EXPECTATION,
        {"person_id": ref("teammate")},
        409,
        "too_many_expectations",
    ),
    err(
        "expectation:eleven-key-steps",
        EXPECTATION,
        {"key_steps": [{"text": f"Step {n}"} for n in range(11)]},
        422,
        "invalid_request",
    ),
    err(
        "expectation:for-someone-outside-the-org",
        EXPECTATION,
        {"person_id": ref("outsider")},
        403,
        "forbidden",
    ),
    err(
        "expectation:edit-locked",
        EXPECTATION_EDIT,
        None,
        409,
        "expectation_locked",
        path=LOCKED_PATH,
    ),
    err(
        "expectation:manager-edits-locked",
        EXPECTATION_EDIT,
        fixed({"due_on": "2026-08-01"}),
        409,
        "expectation_locked",
        who="manager",
        path=LOCKED_PATH,
    ),
    err(
        "expectation:edit-unknown",
        EXPECTATION_EDIT,
        None,
        404,
        "expectation_not_found",
        path="/v1/expectations/{new}",
    ),
    err(
        "expectation:edit-someone-elses",
        EXPECTATION_EDIT,
        None,
        404,
        "expectation_not_found",
        who="other_manager",
    ),
    err(
        "expectation:edit-to-onboarding-without-due-on",
        EXPECTATION_EDIT,
        fixed({"kind": "onboarding"}),
        422,
        "due_on_required",
    ),
    err(
        "key-step:closed-period",
        KEY_STEP,
        None,
        409,
        "expectations_locked",
        path="/v1/expectations/{closed_exp}/key-steps",
    ),
    err(
        "key-step:unknown-expectation",
        KEY_STEP,
        None,
        404,
        "expectation_not_found",
        path="/v1/expectations/{new}/key-steps",
    ),
    err(
        "key-step:eleventh",
        KEY_STEP,
        None,
        409,
        "too_many_key_steps",
        who="teammate",
        path="/v1/expectations/{full}/key-steps",
    ),
    err(
        "key-step:tick-unknown-step",
        TICK,
        None,
        404,
        "key_step_not_found",
        path="/v1/expectations/{exp}/key-steps/{new}",
    ),
    err(
        "key-step:tick-step-of-another-expectation",
        TICK,
        None,
        404,
        "key_step_not_found",
        path="/v1/expectations/{exp}/key-steps/{locked_step}",
    ),
    err(
        "key-step:tick-in-closed-period",
        TICK,
        None,
        409,
        "period_not_open",
        path="/v1/expectations/{closed_exp}/key-steps/{closed_step}",
    ),
    # self-assessments
    err("self:unknown-period", SELF_ASSESSMENT, {"period_id": NEW}, 422, "unknown_period"),
    err(
        "self:planning-period",
        SELF_ASSESSMENT,
        {"period_id": ref("planning")},
        409,
        "period_not_open",
    ),
    err(
        "self:closed-period", SELF_ASSESSMENT, {"period_id": ref("closed")}, 409, "period_not_open"
    ),
    err("self:duplicate", SELF_ASSESSMENT, None, 409, "duplicate_self_assessment", who="engineer"),
    err(
        "self:unknown-expectation",
        SELF_ASSESSMENT,
        {"expectation_id": NEW, "outcome": "met"},
        422,
        "unknown_expectation",
    ),
    err(
        "self:someone-elses-expectation",
        SELF_ASSESSMENT,
        {"expectation_id": ref("locked"), "outcome": "met"},
        422,
        "unknown_expectation",
    ),
    err(
        "self:expectation-without-outcome",
        SELF_ASSESSMENT,
        {"expectation_id": ref("locked")},
        422,
        "invalid_request",
        who="engineer",
    ),
    err("self:by-hr-key", SELF_ASSESSMENT, None, 403, "forbidden", who="hr"),
    # feedback
    err("feedback:about-oneself", FEEDBACK, None, 422, "self_feedback", who="engineer"),
    err("feedback:unknown-subject", FEEDBACK, {"subject_id": NEW}, 422, "unknown_person"),
    err("feedback:unknown-period", FEEDBACK, {"period_id": NEW}, 422, "unknown_period"),
    err(
        "feedback:planning-period", FEEDBACK, {"period_id": ref("planning")}, 409, "period_not_open"
    ),
    err("feedback:closed-period", FEEDBACK, {"period_id": ref("closed")}, 409, "period_not_open"),
    err("feedback:duplicate", FEEDBACK, {"text": STORED_FEEDBACK}, 409, "duplicate_feedback"),
    err(
        "feedback:duplicate-other-case-and-spacing",
        FEEDBACK,
        {"text": "  " + "   ".join(STORED_FEEDBACK.upper().split()) + "\n"},
        409,
        "duplicate_feedback",
    ),
    err(
        "feedback:relationship-mismatch",
        FEEDBACK,
        {"relationship": "manager"},
        422,
        "relationship_mismatch",
    ),
    err(
        "feedback:unknown-expectation",
        FEEDBACK,
        {"expectation_answers": [{"position": 2, "comment": "Made good progress"}]},
        422,
        "unknown_expectation",
    ),
    err(
        "feedback:answer-position-out-of-range",
        FEEDBACK,
        {"expectation_answers": [{"position": 6, "comment": "Good"}]},
        422,
        "invalid_request",
    ),
    err(
        "feedback:blank-answer-comment",
        FEEDBACK,
        {"expectation_answers": [{"position": 1, "comment": BLANK}]},
        422,
        "invalid_request",
    ),
    err(
        "feedback:oversized-answer-comment",
        FEEDBACK,
        {"expectation_answers": [{"position": 1, "comment": TOO_LONG}]},
        422,
        "invalid_request",
    ),
    err(
        "feedback:unknown-field-in-answer",
        FEEDBACK,
        {"expectation_answers": [{"position": 1, "comment": "Good", "score": 5}]},
        422,
        "invalid_request",
    ),
    err(
        "feedback:six-answers",
        FEEDBACK,
        {"expectation_answers": [{"position": 1, "comment": "Good"}] * 6},
        422,
        "invalid_request",
    ),
    err("feedback:by-hr-key", FEEDBACK, None, 403, "person_required", who="hr"),
    # bulk import (row-level failures: BULK_REJECTIONS below)
    err("bulk:no-items", BULK, {"items": []}, 422, "invalid_request"),
    err(
        "bulk:too-many-items",
        BULK,
        {"items": lambda w: [bulk_row(w, text=f"Note {n}") for n in range(1001)]},
        422,
        "invalid_request",
    ),
    err(
        "bulk:unknown-field-in-a-row",
        BULK,
        {"items": lambda w: [bulk_row(w), bulk_row(w, text="Second", rating=5)]},
        422,
        "invalid_request",
    ),
    err(
        "bulk:long-period-name",
        BULK,
        {"items": lambda w: [bulk_row(w, period="p" * 121)]},
        422,
        "invalid_request",
    ),
    err("bulk:by-engineer", BULK, None, 403, "forbidden", who="engineer"),
    # feedback requests
    err(
        "request:about-oneself",
        REQUEST,
        {"reviewer_id": ref("engineer"), "relationship": "peer"},
        422,
        "self_feedback",
    ),
    err("request:unknown-reviewer", REQUEST, {"reviewer_id": NEW}, 422, "unknown_person"),
    err("request:unknown-subject", REQUEST, {"subject_id": NEW}, 422, "unknown_person"),
    err("request:unknown-period", REQUEST, {"period_id": NEW}, 422, "unknown_period"),
    err("request:planning-period", REQUEST, {"period_id": ref("planning")}, 409, "period_not_open"),
    err(
        "request:duplicate",
        REQUEST,
        {"reviewer_id": ref("teammate"), "relationship": "peer"},
        409,
        "duplicate_request",
    ),
    err("request:oversized-message", REQUEST, {"message": "m" * 2001}, 422, "invalid_request"),
    err("request:by-engineer", REQUEST, None, 403, "forbidden", who="engineer"),
    err("request:by-another-manager", REQUEST, None, 403, "forbidden", who="other_manager"),
    # talent assessments
    err(
        "assessment:duplicate",
        ASSESSMENT,
        {"subject_id": ref("engineer")},
        409,
        "duplicate_assessment",
    ),
    err("assessment:unknown-subject", ASSESSMENT, {"subject_id": NEW}, 422, "unknown_person"),
    err("assessment:unknown-period", ASSESSMENT, {"period_id": NEW}, 422, "unknown_period"),
    err(
        "assessment:own-thought-partner",
        ASSESSMENT,
        {"thought_partner_id": ref("teammate")},
        422,
        "invalid_thought_partner",
    ),
    err(
        "assessment:unknown-thought-partner",
        ASSESSMENT,
        {"thought_partner_id": NEW},
        422,
        "unknown_person",
    ),
    err(
        "assessment:unknown-level",
        ASSESSMENT,
        {"recommended_level": "wizard"},
        422,
        "unknown_level",
    ),
    err(
        "assessment:twenty-one-strengths",
        ASSESSMENT,
        {"strengths": [f"Strength {n}" for n in range(21)]},
        422,
        "invalid_request",
    ),
    err("assessment:by-another-manager", ASSESSMENT, None, 403, "forbidden", who="other_manager"),
    err("assessment:by-engineer", ASSESSMENT, None, 403, "forbidden", who="engineer"),
    err(
        "assessment:edit-unknown",
        ASSESSMENT_EDIT,
        None,
        404,
        "assessment_not_found",
        path="/v1/talent-assessments/{new}",
    ),
    err(
        "assessment:edit-unknown-level",
        ASSESSMENT_EDIT,
        fixed({"recommended_level": "wizard"}),
        422,
        "unknown_level",
    ),
    err(
        "assessment:edit-own-thought-partner",
        ASSESSMENT_EDIT,
        {"thought_partner_id": ref("engineer")},
        422,
        "invalid_thought_partner",
    ),
    err(
        "assessment:edit-by-thought-partner", ASSESSMENT_EDIT, None, 403, "forbidden", who="partner"
    ),
    # keys
    err("key:person-role-without-person", KEY, fixed({"role": "manager"}), 422, "person_required"),
    err(
        "key:unknown-person",
        KEY,
        {"role": "engineer", "person_id": NEW},
        422,
        "unknown_person",
    ),
    err("key:zero-day-expiry", KEY, {"expires_in_days": 0}, 422, "invalid_request"),
    err("key:ten-years-and-a-day", KEY, {"expires_in_days": 3651}, 422, "invalid_request"),
    err("key:fractional-days", KEY, {"expires_in_days": 1.5}, 422, "invalid_request"),
    err("key:by-hr", KEY, None, 403, "forbidden", who="hr"),
    req("key:revoke-unknown", "admin", "POST", "/v1/keys/nope/revoke", 404, "api_key_not_found"),
    req(
        "key:revoke-by-engineer",
        "engineer",
        "POST",
        "/v1/keys/{admin_prefix}/revoke",
        403,
        "forbidden",
    ),
    # the ladder
    req("ladder:malformed", "admin", "PUT", "/v1/ladder", 400, "malformed_json", raw(b"{x: 1}")),
    req("ladder:empty", "admin", "PUT", "/v1/ladder", 422, "invalid_request", fixed({})),
    # reads: malformed ids and paging
    req("read:malformed-id", "admin", "GET", "/v1/feedback/fb-1", 422, "invalid_request"),
    req("read:unknown-id", "admin", "GET", "/v1/feedback/{new}", 404, "feedback_not_found"),
    req("read:zero-limit", "admin", "GET", "/v1/feedback?limit=0", 422, "invalid_request"),
    req("read:huge-limit", "admin", "GET", "/v1/people?limit=100000", 422, "invalid_request"),
    req("read:negative-offset", "admin", "GET", "/v1/periods?offset=-1", 422, "invalid_request"),
    req("read:bad-filter", "admin", "GET", "/v1/feedback?subject_id=eli", 422, "invalid_request"),
    # routes and methods
    req("route:unknown", "admin", "GET", "/v1/nope", 404, "not_found"),
    req("route:unknown-unauthenticated", None, "POST", "/v1/nope", 404, "not_found", fixed({})),
    req("route:unversioned", "admin", "GET", "/people", 404, "not_found"),
    req("route:below-a-resource", "admin", "POST", "/v1/feedback/bulk/x", 404, "not_found"),
    req("method:delete-people", "admin", "DELETE", "/v1/people", 405, "method_not_allowed"),
    req("method:put-feedback", "admin", "PUT", "/v1/feedback", 405, "method_not_allowed"),
    req(
        "method:put-one-feedback",
        "admin",
        "PUT",
        "/v1/feedback/{feedback}",
        405,
        "method_not_allowed",
    ),
    # Only its author withdraws feedback (tests/test_feedback_rewording.py has the rest).
    req(
        "feedback:withdraw-by-admin",
        "admin",
        "DELETE",
        "/v1/feedback/{feedback}",
        403,
        "not_author",
    ),
    req(
        "method:patch-period", "admin", "PATCH", "/v1/periods/{planning}", 405, "method_not_allowed"
    ),
    req(
        "method:get-transition",
        "admin",
        "GET",
        "/v1/periods/{planning}/transition",
        405,
        "method_not_allowed",
    ),
]


# --------------------------------------------------------------------------- authentication


def _header(value: str) -> Headers:
    return lambda _w: {"Authorization": value}


def _wrong_secret(w: World) -> dict[str, str]:
    synth, prefix, _secret = w.auth("teammate")["Authorization"].split(" ")[1].split("_", 2)
    return {"Authorization": f"Bearer {synth}_{prefix}_{'A' * 43}"}


def _without_scheme(w: World) -> dict[str, str]:
    return {"Authorization": w.auth("teammate")["Authorization"].removeprefix("Bearer ")}


AUTH_FAILURES: list[tuple[str, Headers | None, str]] = [
    ("no-header", None, "missing_api_key"),
    ("basic-scheme", _header("Basic YWRtaW46YWRtaW4="), "invalid_api_key"),
    ("scheme-only", _header("Bearer"), "invalid_api_key"),
    ("blank-token", _header("Bearer    "), "invalid_api_key"),
    ("token-without-scheme", _without_scheme, "invalid_api_key"),
    ("garbage-token", _header("Bearer garbage"), "invalid_api_key"),
    ("unknown-prefix", _header("Bearer synth_000000000000_c2VjcmV0"), "invalid_api_key"),
    ("wrong-secret", _wrong_secret, "invalid_api_key"),
    ("other-product-token", _header("Bearer sk_live_abcdef0123456789"), "invalid_api_key"),
]

AUTH_CASES = [
    Case(f"auth:{name}:{label}", None, method, path, body, 401, code, headers)
    for name, headers, code in AUTH_FAILURES
    for label, method, path, body in (
        ("read", "GET", "/v1/people", None),
        ("write", "POST", "/v1/feedback", feedback_body),
    )
]


# --------------------------------------------------------------------------- bulk rows


@dataclass(frozen=True)
class BulkRejection:
    """A bulk import with bad rows: `rows` are changes to a good row, by row number."""

    id: str
    rows: list[dict[str, Json]]
    expected: list[tuple[int, str]]  # (row, code) expected in `details`
    period: Json = field(default_factory=lambda: ref("review"))

    def body(self, w: World) -> Json:
        items = [bulk_row(w, **resolve(row, w)) for row in self.rows]
        return (
            {"items": items}
            if self.period is None
            else {"period": resolve(self.period, w), "items": items}
        )


AS_PEER = {"author": ref("engineer_email"), "relationship": "peer"}
BULK_REJECTIONS = [
    BulkRejection(
        "one-unknown-author-among-good-rows",
        [{}, {"author": "ghost@example.test", "text": "Who?"}, {**AS_PEER, "text": "Solid"}],
        [(2, "unknown_person")],
    ),
    BulkRejection(
        "duplicate-of-stored-feedback",
        [
            {},
            {
                "author": ref("teammate_email"),
                "subject": ref("engineer_email"),
                "relationship": "peer",
                "text": STORED_FEEDBACK,
            },
        ],
        [(2, "duplicate_feedback")],
    ),
    BulkRejection(
        "duplicate-within-the-file",
        [{}, {"text": "  CLEAR release notes for the checkout launch,   every time. "}],
        [(2, "duplicate_feedback")],
    ),
    BulkRejection("about-oneself", [{"subject": ref("pm_email")}], [(1, "self_feedback")]),
    BulkRejection("unknown-subject-id", [{}, {"subject": NEW}], [(2, "unknown_person")]),
    BulkRejection(
        "unknown-period-name", [{}, {"text": "B", "period": "2031 H2"}], [(2, "unknown_period")]
    ),
    BulkRejection("unknown-default-period", [{}], [(1, "unknown_period")], period=NEW),
    BulkRejection("no-period-at-all", [{}], [(1, "unknown_period")], period=None),
    BulkRejection(
        "period-not-open",
        [{}, {"text": "Late", "period": ref("planning_name")}],
        [(2, "period_not_open")],
    ),
    BulkRejection(
        "relationship-mismatch",
        [
            {},
            {
                "author": ref("manager_email"),
                "subject": ref("engineer_email"),
                "relationship": "peer",
            },
        ],
        [(2, "relationship_mismatch")],
    ),
    BulkRejection(
        "unknown-expectation",
        [
            {
                "subject": ref("engineer_email"),
                "expectation_answers": [{"position": 4, "comment": "On track"}],
            }
        ],
        [(1, "unknown_expectation")],
    ),
    BulkRejection(
        "several-bad-rows-all-reported",
        [
            {"author": "ghost@example.test"},
            {},
            {"subject": ref("pm_email"), "text": "Me, myself"},
            {"text": "Fine", "period": "No such period"},
        ],
        [(1, "unknown_person"), (3, "self_feedback"), (4, "unknown_period")],
    ),
]

BULK_CASES = [err(f"bulk:{b.id}", BULK, b.body, 422, "import_rejected") for b in BULK_REJECTIONS]


# --------------------------------------------------------------------------- schema and domain

TARGETS = [s.target for s in SCHEMAS]


@pytest.mark.parametrize("target", TARGETS, ids=[s.name for s in SCHEMAS])
def test_the_valid_body_of_each_endpoint_is_accepted(
    client: TestClient, world: World, target: Target
) -> None:
    """The baseline every generated case changes in one way only, so that one change fails."""
    response = send(
        client, world, who=target.who, method=target.method, path=target.path, body=target.body
    )
    assert response.status_code == target.ok, response.text


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.id for c in SCHEMA_CASES])
def test_schema_violations_get_a_json_error_and_change_nothing(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    before = stored(db)
    body = assert_error(send_case(client, world, case), case.status, case.code)
    assert body.get("details"), body
    assert stored(db) == before


def test_an_unknown_field_is_named_in_the_error(client: TestClient, world: World) -> None:
    response = client.post(
        "/v1/feedback",
        json={**feedback_body(world), "anonymous": True},
        headers=world.auth("teammate"),
    )
    body = assert_error(response, 422, "invalid_request")
    assert ["body", "anonymous"] in [d["loc"] for d in body["details"]]


@pytest.mark.parametrize("case", DOMAIN_CASES, ids=[c.id for c in DOMAIN_CASES])
def test_domain_errors_get_a_json_error_and_change_nothing(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    before = stored(db)
    assert_error(send_case(client, world, case), case.status, case.code)
    assert stored(db) == before


MALFORMED = [
    ("unterminated-string", b'{"text": "unterminated'),
    ("single-quotes", b"{'text': 'single quotes'}"),
    ("trailing-comma", b'{"text": "a",}'),
    ("two-documents", b'{"text": "a"} {"text": "b"}'),
    ("missing-comma", b'{"text": "a" "b"}'),
    ("bare-key", b"{text: 1}"),
    ("lone-brace", b"{"),
    ("trailing-garbage", b'{"text": "a"}garbage'),
    ("javascript-undefined", b'{"text": undefined}'),
    ("latin-1-not-utf-8", b'{"text": "caf\xe9"}'),
    ("invalid-utf-8", b'{"text": "\xff\xfe"}'),
]
MALFORMED_CASES = [
    err(f"malformed:{name}", FEEDBACK, raw(content), 400, "malformed_json")
    for name, content in MALFORMED
]
NOT_AN_OBJECT = [
    ("empty", b"", "application/json"),
    ("null", b"null", "application/json"),
    ("array", b"[]", "application/json"),
    ("number", b"42", "application/json"),
    ("string", b'"feedback"', "application/json"),
    ("nan", b"NaN", "application/json"),
    ("empty-object", b"{}", "application/json"),
    ("form", b"text=hello", "application/x-www-form-urlencoded"),
]
NOT_AN_OBJECT_CASES = [
    err(f"not-an-object:{name}", FEEDBACK, raw(content, kind), 422, "invalid_request")
    for name, content, kind in NOT_AN_OBJECT
]


@pytest.mark.parametrize("case", MALFORMED_CASES, ids=[c.id for c in MALFORMED_CASES])
def test_malformed_json_is_a_400_with_a_stable_code(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    before = stored(db)
    assert_error(send_case(client, world, case), 400, "malformed_json")
    assert stored(db) == before


@pytest.mark.parametrize("case", NOT_AN_OBJECT_CASES, ids=[c.id for c in NOT_AN_OBJECT_CASES])
def test_a_body_that_is_not_the_documented_object_is_a_422(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    before = stored(db)
    assert_error(send_case(client, world, case), 422, "invalid_request")
    assert stored(db) == before


def test_json_sent_as_plain_text_is_refused_with_a_json_error(
    client: TestClient, db: Session, world: World
) -> None:
    before = stored(db)
    response = client.post(
        "/v1/feedback",
        content=json.dumps(feedback_body(world)).encode(),
        headers={**world.auth("teammate"), "Content-Type": "text/plain"},
    )
    assert response.status_code in (415, 422), response.text
    assert response.json()["code"] in ("unsupported_media_type", "invalid_request")
    assert response.json()["message"]
    assert stored(db) == before


# --------------------------------------------------------------------------- bulk import


@pytest.mark.parametrize("rejection", BULK_REJECTIONS, ids=[b.id for b in BULK_REJECTIONS])
def test_a_bulk_import_with_bad_rows_imports_nothing_and_reports_each_row(
    client: TestClient, db: Session, world: World, rejection: BulkRejection
) -> None:
    before = stored(db)
    listed = client.get("/v1/feedback", headers=world.auth("admin")).json()
    response = client.post(
        "/v1/feedback/bulk", json=rejection.body(world), headers=world.auth("hr")
    )
    details = assert_error(response, 422, "import_rejected")["details"]
    assert [(d["row"], d["code"]) for d in details] == rejection.expected, details
    for detail in details:
        assert set(detail) == {"row", "code", "message"}
        assert isinstance(detail["message"], str) and detail["message"].strip()
    assert client.get("/v1/feedback", headers=world.auth("admin")).json() == listed
    assert stored(db) == before


def test_the_good_rows_alone_are_imported(client: TestClient, db: Session, world: World) -> None:
    """The control for the rejections above: without the bad row the same rows go in."""
    before = count(db, PeerFeedback)
    rows = [bulk_row(world), bulk_row(world, author=world.org.engineer.email, relationship="peer")]
    response = client.post(
        "/v1/feedback/bulk", json=bulk_body(world, *rows), headers=world.auth("hr")
    )
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 2
    assert count(db, PeerFeedback) == before + 2


def test_importing_the_same_file_twice_is_refused_the_second_time(
    client: TestClient, db: Session, world: World
) -> None:
    body = bulk_body(world, bulk_row(world), bulk_row(world, text="Second note, also useful."))
    first = client.post("/v1/feedback/bulk", json=body, headers=world.auth("hr"))
    assert first.status_code == 201, first.text
    before = stored(db)
    again = client.post("/v1/feedback/bulk", json=body, headers=world.auth("hr"))
    details = assert_error(again, 422, "import_rejected")["details"]
    assert [(d["row"], d["code"]) for d in details] == [
        (1, "duplicate_feedback"),
        (2, "duplicate_feedback"),
    ]
    assert stored(db) == before


# --------------------------------------------------------------------------- important cases


def test_duplicate_feedback_is_refused_and_the_original_is_kept(
    client: TestClient, world: World
) -> None:
    headers = world.auth("teammate")
    before = client.get("/v1/feedback", headers=headers).json()
    assert [item["text"] for item in before["items"]] == [STORED_FEEDBACK]
    response = client.post(
        "/v1/feedback", json=feedback_body(world, text=STORED_FEEDBACK), headers=headers
    )
    body = assert_error(response, 409, "duplicate_feedback")
    assert str(world.feedback.id) in body["message"]
    assert client.get("/v1/feedback", headers=headers).json() == before


def test_a_locked_expectation_cannot_be_edited_by_anyone_and_stays_as_it_was(
    client: TestClient, db: Session, world: World
) -> None:
    path = f"/v1/expectations/{world.locked.id}"
    before = client.get(path, headers=world.auth("admin")).json()
    assert before["status"] == "locked"
    everything = stored(db)
    for who, change in (
        ("engineer", {"title": "Something easier"}),
        ("manager", {"description": "Now optional"}),
        ("director", {"kind": "stability"}),
        ("admin", {"due_on": None}),
    ):
        assert_error(
            client.patch(path, json=change, headers=world.auth(who)), 409, "expectation_locked"
        )
    assert client.get(path, headers=world.auth("admin")).json() == before
    assert stored(db) == everything


def test_expectations_locked_by_starting_the_period_refuse_edits(
    client: TestClient, db: Session, world: World
) -> None:
    for who in ("engineer", "manager"):
        signed = client.post(f"/v1/expectations/{world.exp.id}/agree", headers=world.auth(who))
        assert signed.status_code == 200, signed.text
    started = client.post(
        f"/v1/periods/{world.planning.id}/transition",
        json={"status": "active", "force": True, "reason": "one engineer under test"},
        headers=world.auth("hr"),
    )
    assert started.status_code == 200, started.text
    path = f"/v1/expectations/{world.exp.id}"
    before = client.get(path, headers=world.auth("engineer")).json()
    assert before["status"] == "locked"
    response = client.patch(path, json={"title": "Changed"}, headers=world.auth("engineer"))
    assert_error(response, 409, "expectation_locked")
    assert client.get(path, headers=world.auth("engineer")).json() == before


def test_adding_a_person_who_exists_changes_nothing(client: TestClient, world: World) -> None:
    engineer = world.org.engineer
    admin = world.auth("admin")
    before = client.get(f"/v1/people/{engineer.id}", headers=admin).json()
    people = client.get("/v1/people", headers=admin).json()
    response = client.post(
        "/v1/people",
        json=person_body(world, email=engineer.email, name="Impostor", level="senior"),
        headers=world.auth("hr"),
    )
    assert_error(response, 409, "duplicate_person")
    assert client.get(f"/v1/people/{engineer.id}", headers=admin).json() == before
    assert client.get("/v1/people", headers=admin).json() == people


def test_feedback_about_oneself_is_refused(client: TestClient, db: Session, world: World) -> None:
    before = count(db, PeerFeedback)
    response = client.post(
        "/v1/feedback", json=feedback_body(world), headers=world.auth("engineer")
    )
    body = assert_error(response, 422, "self_feedback")
    assert "self-assessment" in body["message"]
    assert count(db, PeerFeedback) == before


# --------------------------------------------------------------------------- authentication


@pytest.mark.parametrize("case", AUTH_CASES, ids=[c.id for c in AUTH_CASES])
def test_bad_credentials_get_a_401_and_change_nothing(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    before = stored(db)
    assert_error(send_case(client, world, case), 401, case.code)
    assert stored(db) == before


def test_a_revoked_key_is_refused(client: TestClient, db: Session, world: World) -> None:
    prefix = world.auth("teammate")["Authorization"].split("_")[1]
    assert client.get("/v1/people", headers=world.auth("teammate")).status_code == 200
    revoked = client.post(f"/v1/keys/{prefix}/revoke", headers=world.auth("admin"))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    again = client.post(f"/v1/keys/{prefix}/revoke", headers=world.auth("admin"))
    assert again.status_code == 200 and again.json() == revoked.json()

    before = stored(db)
    assert_error(client.get("/v1/people", headers=world.auth("teammate")), 401, "revoked_api_key")
    write = client.post("/v1/feedback", json=feedback_body(world), headers=world.auth("teammate"))
    assert_error(write, 401, "revoked_api_key")
    assert stored(db) == before


def test_an_expired_key_is_refused(client: TestClient, db: Session, world: World) -> None:
    new = create_key(
        db_session=db,
        principal=Principal.system(),
        role=Role.ENGINEER,
        person_id=world.org.teammate.id,
        expires_in_days=1,
    )
    db.flush()
    headers = {"Authorization": f"Bearer {new.token}"}
    assert client.get("/v1/people", headers=headers).status_code == 200
    key = db.get(ApiKey, new.key.id)
    assert key is not None
    key.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()

    before = stored(db)
    assert_error(client.get("/v1/people", headers=headers), 401, "expired_api_key")
    write = client.post("/v1/feedback", json=feedback_body(world), headers=headers)
    assert_error(write, 401, "expired_api_key")
    assert stored(db) == before


# --------------------------------------------------------------------------- body size


def test_a_body_over_two_megabytes_is_a_413(client: TestClient, db: Session, world: World) -> None:
    before = stored(db)
    body = feedback_body(world, text="x" * 2_500_000)
    response = client.post("/v1/feedback", json=body, headers=world.auth("teammate"))
    assert_error(response, 413, "payload_too_large")
    assert stored(db) == before


def test_a_body_one_byte_over_the_limit_is_a_413_before_authentication(
    client: TestClient, db: Session, world: World
) -> None:
    before = stored(db)
    response = client.post(
        "/v1/feedback/bulk",
        content=b" " * (MAX_BODY_BYTES + 1),
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")
    assert stored(db) == before


def test_a_streamed_body_over_two_megabytes_is_a_413(
    client: TestClient, db: Session, world: World
) -> None:
    """No Content-Length (a chunked upload): the limit holds while the body streams in."""

    def chunks() -> Iterator[bytes]:
        yield b'{"period_id": "' + str(world.org.period.id).encode() + b'", "text": "'
        for _ in range(25):
            yield b"x" * 100_000
        yield b'"}'

    before = stored(db)
    response = client.post(
        "/v1/feedback",
        content=chunks(),
        headers={**world.auth("teammate"), "Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")
    assert stored(db) == before


def test_text_under_the_byte_limit_but_over_the_text_limit_is_a_422(
    client: TestClient, db: Session, world: World
) -> None:
    before = stored(db)
    body = feedback_body(world, text="x" * 1_000_000)
    response = client.post("/v1/feedback", json=body, headers=world.auth("teammate"))
    assert_error(response, 422, "invalid_request")
    assert stored(db) == before


def _feedback_text(w: World, text: str) -> Json:
    return feedback_body(w, text=text)


def _self_text(w: World, text: str) -> Json:
    return self_assessment_body(w, text=text)


def _title(w: World, text: str) -> Json:
    return expectation_body(w, title=text)


def _bulk_text(w: World, text: str) -> Json:
    return bulk_body(w, bulk_row(w, text=text))


@pytest.mark.parametrize(
    ("who", "path", "make"),
    [
        pytest.param("teammate", "/v1/feedback", _feedback_text, id="feedback"),
        pytest.param("teammate", "/v1/self-assessments", _self_text, id="self-assessment"),
        pytest.param("manager", "/v1/expectations", _title, id="expectation"),
        pytest.param("hr", "/v1/feedback/bulk", _bulk_text, id="bulk"),
    ],
)
@pytest.mark.parametrize(
    ("unit", "extra", "status"),
    [
        pytest.param("x", 0, 201, id="ascii-at-limit"),
        pytest.param("x", 1, 422, id="ascii-over-limit"),
        pytest.param("🎉", 0, 201, id="emoji-at-limit"),
        pytest.param("🎉", 1, 422, id="emoji-over-limit"),
        pytest.param("é", 0, 201, id="accented-at-limit"),
    ],
)
def test_the_text_limit_is_ten_thousand_characters(
    client: TestClient,
    db: Session,
    world: World,
    who: str,
    path: str,
    make: Callable[[World, str], Json],
    unit: str,
    extra: int,
    status: int,
) -> None:
    before = stored(db)
    text = unit * (MAX_TEXT_CHARS + extra)
    response = client.post(path, json=make(world, text), headers=world.auth(who))
    if status == 201:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, status, "invalid_request")
        assert stored(db) == before


# --------------------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_and_body_replays_the_first_response(
    client: TestClient, db: Session, world: World
) -> None:
    headers = {**world.auth("teammate"), "Idempotency-Key": "retry-1"}
    before = count(db, PeerFeedback)
    first = client.post("/v1/feedback", json=feedback_body(world), headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    second = client.post("/v1/feedback", json=feedback_body(world), headers=headers)
    assert second.status_code == 201, second.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert count(db, PeerFeedback) == before + 1
    mine = client.get("/v1/feedback", headers=world.auth("teammate")).json()["items"]
    assert [item["text"] for item in mine].count(NEW_FEEDBACK) == 1


def test_the_same_idempotency_key_with_another_body_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    headers = {**world.auth("teammate"), "Idempotency-Key": "retry-2"}
    first = client.post("/v1/feedback", json=feedback_body(world), headers=headers)
    assert first.status_code == 201, first.text
    before = stored(db)
    other = feedback_body(world, text="A completely different note about the on-call week.")
    assert_error(
        client.post("/v1/feedback", json=other, headers=headers), 422, "idempotency_key_reused"
    )
    assert stored(db) == before


def test_the_same_idempotency_key_on_another_endpoint_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    headers = {**world.auth("teammate"), "Idempotency-Key": "retry-3"}
    first = client.post("/v1/feedback", json=feedback_body(world), headers=headers)
    assert first.status_code == 201, first.text
    before = stored(db)
    response = client.post(
        "/v1/self-assessments", json=self_assessment_body(world), headers=headers
    )
    assert_error(response, 422, "idempotency_key_reused")
    assert stored(db) == before


def test_another_idempotency_key_with_the_same_feedback_is_a_duplicate(
    client: TestClient, db: Session, world: World
) -> None:
    auth = world.auth("teammate")
    first = client.post(
        "/v1/feedback", json=feedback_body(world), headers={**auth, "Idempotency-Key": "a"}
    )
    assert first.status_code == 201, first.text
    before = stored(db)
    second = client.post(
        "/v1/feedback", json=feedback_body(world), headers={**auth, "Idempotency-Key": "b"}
    )
    assert_error(second, 409, "duplicate_feedback")
    assert "Idempotent-Replayed" not in second.headers
    assert stored(db) == before


def test_a_failed_request_is_not_replayed_under_its_idempotency_key(
    client: TestClient, db: Session, world: World
) -> None:
    """An error rolls back with its idempotency record: the retry is judged afresh."""
    headers = {**world.auth("teammate"), "Idempotency-Key": "retry-4"}
    before = stored(db)
    failed = client.post(
        "/v1/feedback", json=feedback_body(world, text=STORED_FEEDBACK), headers=headers
    )
    assert_error(failed, 409, "duplicate_feedback")
    assert stored(db) == before
    fixed_body = client.post("/v1/feedback", json=feedback_body(world), headers=headers)
    assert fixed_body.status_code == 201, fixed_body.text


@pytest.mark.parametrize(
    "key", [pytest.param("   ", id="blank"), pytest.param("k" * 256, id="too-long")]
)
def test_a_malformed_idempotency_key_is_refused(
    client: TestClient, db: Session, world: World, key: str
) -> None:
    before = stored(db)
    response = client.post(
        "/v1/feedback",
        json=feedback_body(world),
        headers={**world.auth("teammate"), "Idempotency-Key": key},
    )
    assert_error(response, 422, "invalid_idempotency_key")
    assert stored(db) == before


# --------------------------------------------------------------------------- any language

UNICODE_TEXTS = [
    ("german", "Sehr hilfsbereit bei Code-Reviews – danke für die Geduld! Ärger gab es nie."),
    ("japanese", "コードレビューがとても丁寧で、リリース前に二つのバグを見つけてくれました。"),
    ("chinese", "她在支付服务迁移中表现出色，沟通清晰，按时交付。"),
    ("arabic", "ساعدني كثيراً في تصحيح اختبارات الدفع المتقطعة، شكراً جزيلاً."),
    ("hebrew-mixed", "עזר מאוד ב-code review של ה-ledger service, תודה!"),
    ("russian", "Отлично провёл ретроспективу после инцидента в платёжном сервисе."),
    ("hindi", "बहुत मददगार सहकर्मी, हमेशा समय पर कोड रिव्यू करते हैं।"),
    ("korean", "온콜 기간 동안 장애 대응을 훌륭하게 이끌었습니다."),
    ("emoji", "🚀🔥 Shipped the checkout flow 👩🏽‍💻👨‍👩‍👧 — great teamwork 🎉🇳🇴"),
    ("emoji-only", "👏👏👏"),
    ("combining-marks", "Cafe\u0301 reviews were thorough; nai\u0308ve bugs were caught early."),
    ("astral-math", "𝐒𝐡𝐢𝐩𝐩𝐞𝐝 the 𝔩𝔢𝔡𝔤𝔢𝔯 migration on time ✅"),
]


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in UNICODE_TEXTS])
def test_feedback_in_any_language_or_emoji_is_accepted_verbatim(
    client: TestClient, world: World, text: str
) -> None:
    response = client.post(
        "/v1/feedback", json=feedback_body(world, text=text), headers=world.auth("teammate")
    )
    assert response.status_code == 201, response.text
    assert response.json()["text"] == text
    again = client.get(f"/v1/feedback/{response.json()['id']}", headers=world.auth("manager"))
    assert again.json()["text"] == text


def test_non_english_text_is_accepted_everywhere_there_is_text(
    client: TestClient, world: World
) -> None:
    steps = [{"text": "设计文档"}, {"text": "Écrire les tests ✅"}]
    created = client.post(
        "/v1/expectations",
        json=expectation_body(world, title="Mener la migration du grand livre 📒", key_steps=steps),
        headers=world.auth("manager"),
    )
    assert created.status_code == 201, created.text
    assert [s["text"] for s in created.json()["key_steps"]] == ["设计文档", "Écrire les tests ✅"]
    imported = client.post(
        "/v1/feedback/bulk",
        json=bulk_body(world, bulk_row(world, text="リリースノートが分かりやすい 🙌")),
        headers=world.auth("hr"),
    )
    assert imported.status_code == 201, imported.text
    mine = client.post(
        "/v1/self-assessments",
        json=self_assessment_body(world, text="Ich habe die Migration abgeschlossen 💪"),
        headers=world.auth("teammate"),
    )
    assert mine.status_code == 201, mine.text
    person = client.post(
        "/v1/people",
        json=person_body(world, name="Zoë Ñúñez 李", title="Ingénieure"),
        headers=world.auth("hr"),
    )
    assert person.status_code == 201, person.text
    assert person.json()["name"] == "Zoë Ñúñez 李"


# --------------------------------------------------------------------------- unstorable text


def _lone_surrogate(w: World) -> Raw:
    text = json.dumps(feedback_body(w, text="Great reviews @@ all quarter"))
    return Raw(text.replace("@@", "\\ud83d").encode())


NUL = "\u0000"
UNSTORABLE_CASES = [
    err(
        "nul:feedback-text",
        FEEDBACK,
        {"text": f"Great reviews{NUL} all quarter"},
        422,
        "invalid_request",
    ),
    err(
        "nul:bulk-text",
        BULK,
        {"items": lambda w: [bulk_row(w, text=f"Notes{NUL}")]},
        422,
        "invalid_request",
    ),
    err("nul:bulk-period-reference", BULK, {"period": f"2026{NUL}H2"}, 422, "invalid_request"),
    err("nul:person-name", PERSON, {"name": f"Nia{NUL}New"}, 422, "invalid_request"),
    err("nul:manager-reference", PERSON, {"manager": f"maya{NUL}@x.test"}, 422, "invalid_request"),
    err("nul:period-name", PERIOD, {"name": f"2027{NUL}H1"}, 422, "invalid_request"),
    err("nul:key-step", KEY_STEP, fixed({"text": f"Book{NUL} the room"}), 422, "invalid_request"),
    err("nul:key-name", KEY, {"name": f"sync{NUL}"}, 422, "invalid_request"),
    err("nul:self-assessment", SELF_ASSESSMENT, {"text": f"Done{NUL}"}, 422, "invalid_request"),
    err("lone-surrogate:feedback-text", FEEDBACK, _lone_surrogate, 422, "invalid_request"),
]


@pytest.mark.parametrize("case", UNSTORABLE_CASES, ids=[c.id for c in UNSTORABLE_CASES])
def test_text_postgres_cannot_store_is_a_422_not_a_500(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    """A NUL character or a lone surrogate is valid JSON but not storable text."""
    before = stored(db)
    assert_error(send_case(client, world, case), case.status, case.code)
    assert stored(db) == before


# --------------------------------------------------------------------------- schema gaps


@pytest.mark.parametrize("length", [120, 121, 200])
def test_a_period_name_within_the_documented_limit_never_fails_the_server(
    client: TestClient, db: Session, world: World, length: int
) -> None:
    """Names are ShortText (200 chars): the reply is 201, or a 422 with nothing stored."""
    before = stored(db)
    response = client.post(
        "/v1/periods", json=period_body(world, name="Q" * length), headers=world.auth("hr")
    )
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert_error(response, 422, "invalid_request")
        assert stored(db) == before


BLANK_REFERENCES = [
    err(f"person:{name}", PERSON_EDIT, fixed(change), 422, "invalid_request")
    for name, change in (
        ("blank-manager", {"manager": BLANK}),
        ("empty-manager", {"manager": ""}),
        ("blank-level", {"level": BLANK}),
        ("empty-level", {"level": ""}),
    )
]


@pytest.mark.parametrize("case", BLANK_REFERENCES, ids=[c.id for c in BLANK_REFERENCES])
def test_blank_text_in_a_person_update_is_refused_not_stored(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    """Whitespace-only text is an error, never a silent change to the org chart.

    (Clearing a manager or a level is what an explicit null is for.)
    """
    path = f"/v1/people/{world.org.engineer.id}"
    before = stored(db)
    person = client.get(path, headers=world.auth("admin")).json()["person"]
    assert person["manager_id"] is not None and person["level"] is not None
    assert_error(send_case(client, world, case), 422, "invalid_request")
    assert client.get(path, headers=world.auth("admin")).json()["person"] == person
    assert stored(db) == before


# --------------------------------------------------------------------------- never a 500

STRANGE_CASES = [  # the expected status and code are indicative only
    req(
        "strange:deep-nesting",
        "teammate",
        "POST",
        "/v1/feedback",
        400,
        "?",
        raw(b"[" * 100_000 + b"]" * 100_000),
    ),
    req(
        "strange:huge-number",
        "admin",
        "POST",
        "/v1/keys",
        422,
        "?",
        fixed({"role": "hr", "expires_in_days": 10**400}),
    ),
    req(
        "strange:float-overflow",
        "admin",
        "POST",
        "/v1/keys",
        422,
        "?",
        raw(b'{"role": "hr", "expires_in_days": 1e400}'),
    ),
    req(
        "strange:no-content-type", "hr", "POST", "/v1/periods", 422, "?", raw(b'{"name": 1}', None)
    ),
    req("strange:xml", "hr", "POST", "/v1/periods", 422, "?", raw(b"<period/>", "application/xml")),
    err("strange:date-past-9999", PERIOD, {"ends_on": "99999-01-01"}, 422, "?"),
    err("strange:year-zero", PERIOD, {"starts_on": "0000-01-01"}, 422, "?"),
    err("strange:long-level-ref", PERSON, {"level": "l" * 5000}, 422, "?"),
    err("strange:long-manager-ref", PERSON, {"manager": "m" * 5000}, 422, "?"),
    err("strange:long-default-period", BULK, {"period": "p" * 5000}, 422, "?"),
    err("strange:long-recommended-level", ASSESSMENT, {"recommended_level": "r" * 5000}, 422, "?"),
    req("strange:long-key-ref", "admin", "POST", "/v1/keys/" + "k" * 5000 + "/revoke", 404, "?"),
]


@pytest.mark.parametrize("case", STRANGE_CASES, ids=[c.id for c in STRANGE_CASES])
def test_strange_but_harmless_requests_get_a_json_4xx(
    client: TestClient, db: Session, world: World, case: Case
) -> None:
    """Odd inputs whose exact code is not documented: any 4xx JSON error, nothing stored."""
    before = stored(db)
    response = send_case(client, world, case)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"] and response.json()["message"], response.text
    assert stored(db) == before


def _idempotency_key(key: str) -> Headers:
    return lambda _w: {"Idempotency-Key": key}


OVERSIZED_CASES = [
    err("oversized:2.5-MB", FEEDBACK, {"text": "x" * 2_500_000}, 413, "payload_too_large"),
    err("oversized:1-MB-text", FEEDBACK, {"text": "x" * 1_000_000}, 422, "invalid_request"),
]
IDEMPOTENCY_CASES = [
    Case(
        f"idempotency-key:{name}",
        "teammate",
        "POST",
        "/v1/feedback",
        feedback_body,
        422,
        "invalid_idempotency_key",
        _idempotency_key(key),
    )
    for name, key in (("blank", "   "), ("too-long", "k" * 256))
]
ALL_BAD_CASES = (
    SCHEMA_CASES
    + DOMAIN_CASES
    + MALFORMED_CASES
    + NOT_AN_OBJECT_CASES
    + AUTH_CASES
    + BULK_CASES
    + UNSTORABLE_CASES
    + OVERSIZED_CASES
    + IDEMPOTENCY_CASES
    + STRANGE_CASES
    # last: these change stored data when the bug they probe is present
    + [err("period:name-of-121-chars", PERIOD, {"name": "Q" * 121}, 422, "invalid_request")]
    + BLANK_REFERENCES
)


def test_no_bad_request_ever_gets_a_500(client: TestClient, world: World) -> None:
    """Every bad request in this file, and a few stranger ones: never a server error, and
    every 4xx is a JSON error with a code and a message."""
    failures: list[str] = []
    for case in ALL_BAD_CASES:
        response = send_case(client, world, case)
        if response.status_code >= 500:
            failures.append(f"{case.id}: {response.status_code} {response.text[:100]}")
        elif response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not (isinstance(body, dict) and body.get("code") and body.get("message")):
                failures.append(f"{case.id}: {response.status_code} {response.text[:100]}")
    assert not failures, f"{len(failures)} requests failed the server:\n" + "\n".join(failures)
