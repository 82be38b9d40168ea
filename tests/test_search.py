"""Similar-feedback search: nearest statements by meaning, only among those the caller may read."""

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.errors import NotFound
from synth.themes.ingest import ingest
from synth.themes.models import Statement
from synth.themes.schemas import SearchRequest
from synth.themes.service import similar
from tests import factories as f
from tests.embedders import minilm

ABOUT_ENGINEER = [
    "Her code reviews are thorough and catch real bugs.",
    "She explains incidents calmly during on-call.",
]
ABOUT_OUTSIDER = ["His code reviews are careful and find subtle defects."]


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.org(db)
    for text in ABOUT_ENGINEER:
        f.feedback(db, o.teammate, o.engineer, o.period, text)
    for text in ABOUT_OUTSIDER:
        f.feedback(db, o.partner, o.outsider, o.period, text)
    db.commit()
    ingest(sessions, minilm())
    return o


def _search(db: Session, who: Principal, text: str, limit: int = 10) -> list[str]:
    hits = similar(
        db_session=db,
        principal=who,
        request=SearchRequest(text=text, limit=limit),
        embedder=minilm(),
    )
    return [h.statement.text for h in hits]


def test_nearest_statement_is_the_one_meaning_the_same(db: Session, org: f.Org) -> None:
    hits = _search(db, Principal.system(), "reviews pull requests carefully", limit=3)
    assert set(hits[:2]) == {ABOUT_ENGINEER[0], ABOUT_OUTSIDER[0]}
    assert hits[2] == ABOUT_ENGINEER[1]


def test_a_manager_finds_only_their_orgs_feedback(db: Session, org: f.Org) -> None:
    manager = Principal(role=Role.MANAGER, person_id=org.manager.id)
    assert set(_search(db, manager, "code review quality")) == set(ABOUT_ENGINEER)


def test_an_engineer_never_finds_feedback_about_themselves(db: Session, org: f.Org) -> None:
    engineer = Principal(role=Role.ENGINEER, person_id=org.engineer.id)
    assert _search(db, engineer, "code review quality") == []


def test_an_author_finds_what_they_wrote(db: Session, org: f.Org) -> None:
    teammate = Principal(role=Role.ENGINEER, person_id=org.teammate.id)
    assert set(_search(db, teammate, "code review quality")) == set(ABOUT_ENGINEER)


def test_hr_and_service_keys_find_nothing_individual(db: Session, org: f.Org) -> None:
    for role in (Role.HR, Role.SERVICE):
        assert _search(db, Principal(role=role), "code review quality") == []


def test_search_by_statement_excludes_itself_and_hides_unreadable_ones(
    db: Session, org: f.Org
) -> None:
    outsider_statement = db.scalars(
        select(Statement).where(Statement.subject_id == org.outsider.id)
    ).one()
    admin_hits = similar(
        db_session=db,
        principal=Principal.system(),
        request=SearchRequest(statement_id=outsider_statement.id, limit=1),
        embedder=minilm(),
    )
    assert admin_hits[0].statement.text == ABOUT_ENGINEER[0]
    with pytest.raises(NotFound):
        similar(
            db_session=db,
            principal=Principal(role=Role.MANAGER, person_id=org.manager.id),
            request=SearchRequest(statement_id=outsider_statement.id),
            embedder=minilm(),
        )


def test_search_api_validates_its_query(client: TestClient, db: Session, org: f.Org) -> None:
    headers = org.auth("manager")
    for body in (
        {},
        {"text": "x", "statement_id": f.uid()},
        {"text": "   "},
        {"text": "x", "limit": 0},
    ):
        response = client.post("/v1/search", json=body, headers=headers)
        assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    response = client.post("/v1/search", json={"text": "code review"}, headers=headers)
    assert response.status_code == 200
    assert {h["statement"]["text"] for h in response.json()} == set(ABOUT_ENGINEER)


def test_a_query_with_no_direction_finds_nothing_rather_than_nan(db: Session, org: f.Org) -> None:
    """An embedder can map text with no words to the zero vector; cosine is undefined there."""
    from synth.themes.models import Statement
    from synth.themes.store import nearest

    hits = nearest(
        db,
        model=minilm().name,
        dim=minilm().dim,
        query=np.zeros(minilm().dim, dtype=np.float32),
        visible=Statement.id.is_not(None),
        limit=5,
    )
    assert hits == []
