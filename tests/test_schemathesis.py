"""Schemathesis over the whole OpenAPI document, in-process, as an admin and as an engineer.

Every operation gets the examples, boundary values and random requests (valid and invalid)
Schemathesis derives from the document, on an org with stored records (feedback, statements,
an expectation, an assessment, a draft ready for review) whose ids it uses for most id
parameters, so requests reach past "not found". Each answer must be: no 5xx, a status the
operation documents, the documented content type and headers, a body matching the documented
schema, and invalid input refused. Bounded and derandomized: the same requests every run.
"""

import os
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis import Case
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.cycles.models import (
    Expectation,
    FeedbackRequest,
    KeyStep,
    PeerFeedback,
    PeriodStatus,
    Relationship,
    SelfAssessment,
)
from synth.drafting.offline import OfflineDrafter
from synth.themes.ingest import ingest
from synth.themes.models import Statement
from synth.workflow.jobs import generate_all
from tests import factories as f
from tests.embedders import HashingEmbedder

# Random requests per operation and key, after the deterministic ones; raise it for a deeper
# run by hand (SYNTH_FUZZ_EXAMPLES=200), and SYNTH_FUZZ_SEED picks other requests.
MAX_EXAMPLES = int(os.environ.get("SYNTH_FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("SYNTH_FUZZ_SEED", "20261206"))
ID_PROBABILITY = 0.75  # how often an id parameter is a stored record's rather than random
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
FEEDBACK = [
    ("teammate", "Her code reviews are thorough and catch real bugs before release."),
    ("partner", "She flags delays too late, so the launch slip surprised us."),
    ("pm", "She reviews pull requests thoroughly and finds defects early."),
]
# Which stored ids an id-shaped parameter or body field draws from, by its name.
ID_FIELDS = {
    "person_id": "people",
    "manager_id": "people",
    "subject_id": "people",
    "reviewer_id": "people",
    "thought_partner_id": "people",
    "period_id": "periods",
    "expectation_id": "expectations",
    "key_step_id": "key_steps",
    "self_assessment_id": "self_assessments",
    "feedback_id": "feedback",
    "request_id": "requests",
    "assessment_id": "assessments",
    "draft_id": "drafts",
    "statement_id": "statements",
}


@dataclass
class World:
    org: f.Org
    ids: dict[str, list[str]]  # dictionary name -> stored ids


@pytest.fixture
def world(db: Session, sessions: sessionmaker[Session], client: TestClient) -> World:
    """An org in review with feedback embedded, expectations (one in a period in planning), a
    self-assessment, a feedback request, a talent assessment and a synthesis draft ready for
    review."""
    o = f.reviewed(db, f.org(db), FEEDBACK)
    planning = f.period(db, status=PeriodStatus.PLANNING)
    assessment = f.assessment(db, o.engineer, o.manager, o.period, partner=o.partner)
    f.expectation(db, o.engineer, planning)  # one still open to edits
    request = FeedbackRequest(
        period_id=o.period.id,
        subject_id=o.engineer.id,
        reviewer_id=o.outsider.id,
        requested_by_id=o.manager.id,
        relationship=Relationship.CROSS_FUNCTIONAL,
    )
    db.add(request)
    db.flush()
    embedder = HashingEmbedder()
    ingest(sessions, embedder)
    body = {"kind": "synthesis", "subject_id": str(o.engineer.id), "period_id": str(o.period.id)}
    drafted = client.post("/v1/drafts", json=body, headers=o.auth("manager"))
    assert drafted.status_code == 202, drafted.text
    assert generate_all(sessions, OfflineDrafter(), embedder) == 1
    people = [o.director, o.manager, o.other_manager, o.engineer, o.teammate, o.outsider, o.pm]
    ids = {
        "people": [p.id for p in people],
        "periods": [o.period.id, planning.id],
        "expectations": list(db.scalars(select(Expectation.id))),
        "key_steps": list(db.scalars(select(KeyStep.id))),
        "self_assessments": list(db.scalars(select(SelfAssessment.id))),
        "feedback": list(db.scalars(select(PeerFeedback.id))),
        "requests": [request.id],
        "assessments": [assessment.id],
        "drafts": [uuid.UUID(drafted.json()["id"])],
        "statements": list(db.scalars(select(Statement.id))),
    }
    return World(o, {name: [str(i) for i in values] for name, values in ids.items()})


@pytest.fixture
def app(client: TestClient) -> FastAPI:
    """The `client` fixture's app (sessions in the test's rolled-back transaction), with an
    embedder that needs no model."""
    app: FastAPI = client.app  # type: ignore[assignment]
    app.state.embedder = HashingEmbedder()
    return app


def config(world: World) -> schemathesis.Config:
    bound: dict[str, Any] = {}
    for name, dictionary in ID_FIELDS.items():
        if world.ids[dictionary]:
            binding = {"dictionary": dictionary, "probability": ID_PROBABILITY}
            bound[name] = binding  # path, query and header parameters of that name
            bound[f"body.{name}"] = binding
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The key comes from the test: no generated Authorization headers.
                "with-security-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "dictionaries": {
                name: {"values": values} for name, values in world.ids.items() if values
            },
            "parameters": bound,
        }
    )


@pytest.fixture
def api_schema(app: FastAPI, world: World) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config(world))


schema = schemathesis.pytest.from_fixture("api_schema")


def check(case: Case[Any], auth: dict[str, str]) -> None:
    response = case.call_and_validate(headers=dict(auth))  # schemathesis adds to the dict
    # The key is valid and never throttled: a 401 or 429 would mean it was not sent.
    assert response.status_code not in (401, 429), response.text


@schema.parametrize()
def test_api_as_admin(case: Case[Any], world: World) -> None:
    check(case, world.org.auth("admin"))


@schema.parametrize()
def test_api_as_engineer(case: Case[Any], world: World) -> None:
    check(case, world.org.auth("engineer"))
