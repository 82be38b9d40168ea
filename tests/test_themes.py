"""Themes of one person's feedback, org-wide themes for HR, and who may see them."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.errors import Forbidden, InvalidInput
from synth.people.models import Person
from synth.themes.ingest import ingest
from synth.themes.polarity import Polarity
from synth.themes.schemas import PersonThemes
from synth.themes.service import org_themes, person_themes
from tests import factories as f
from tests.embedders import minilm

REVIEWS = [
    "Eli's code reviews are thorough and catch real bugs before release.",
    "His code reviews are careful and catch subtle bugs in the ledger service.",
    "Reviews from Eli are detailed and teach me something every time.",
]
ON_CALL = [
    "He handled the October payments outage calmly as incident commander.",
    "During the checkout outage he led the incident response calmly.",
    "Eli ran the incident response for the database outage very well.",
]
LATE = [
    "He tends to flag delays too late, so we learned about the slip on launch day.",
    "Status updates on slipping work come late and surprise the team.",
]
OFF_TOPIC = "The new office coffee machine makes excellent espresso."


@pytest.fixture
def org(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    o = f.org(db)
    authors = [o.teammate, o.partner, o.pm, o.outsider]
    for i, text in enumerate(REVIEWS + ON_CALL + LATE + [OFF_TOPIC]):
        author: Person = authors[i % 3] if text not in LATE else authors[3 - (i % 2)]
        relationship = "cross_functional" if author is o.pm else "peer"
        f.feedback(db, author, o.engineer, o.period, text, relationship=relationship)  # type: ignore[arg-type]
    db.commit()
    ingest(sessions, minilm())
    return o


def _themes(db: Session, o: f.Org, who: Principal) -> PersonThemes:
    return person_themes(
        db_session=db,
        principal=who,
        person_id=o.engineer.id,
        period_id=o.period.id,
        embedder=minilm(),
    )


def test_feedback_falls_into_the_themes_people_wrote_about(db: Session, org: f.Org) -> None:
    result = _themes(db, org, Principal(role=Role.MANAGER, person_id=org.manager.id))
    groups = sorted(sorted(s.text for s in t.statements) for t in result.themes)
    assert groups == sorted([sorted(REVIEWS), sorted(ON_CALL), sorted(LATE)])
    assert [s.text for s in result.unthemed] == [OFF_TOPIC]
    assert result.pending_statements == 0


def test_themes_carry_polarity_support_and_representatives(db: Session, org: f.Org) -> None:
    result = _themes(db, org, Principal.system())
    by_first = {t.statements[0].text: t for t in result.themes}
    reviews = next(t for t in result.themes if REVIEWS[0] in {s.text for s in t.statements})
    late = next(t for t in result.themes if LATE[0] in {s.text for s in t.statements})
    assert reviews.polarity is Polarity.STRENGTH
    assert late.polarity is Polarity.GROWTH_AREA
    assert reviews.support.authors == 3 and reviews.meets_anonymity_threshold
    assert late.support.authors == 2 and not late.meets_anonymity_threshold
    assert sum(reviews.support.relationships.values()) == 3
    for theme in by_first.values():
        assert 1 <= len(theme.representatives) <= 3
        assert {r.statement_id for r in theme.representatives} <= {
            s.statement_id for s in theme.statements
        }


def test_labels_never_use_peoples_names(db: Session, org: f.Org) -> None:
    result = _themes(db, org, Principal.system())
    for theme in result.themes:
        assert theme.label and "eli" not in theme.label.lower()


def test_themes_are_the_same_every_time(db: Session, org: f.Org) -> None:
    first = _themes(db, org, Principal.system())
    second = _themes(db, org, Principal.system())
    assert first.model_dump() == second.model_dump()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("manager", True),
        ("director", True),
        ("engineer", False),
        ("teammate", False),
        ("other_manager", False),
    ],
)
def test_who_may_see_a_persons_themes(db: Session, org: f.Org, who: str, allowed: bool) -> None:
    person = getattr(org, who)
    principal = Principal(
        role=Role.ENGINEER if who in ("engineer", "teammate") else Role.MANAGER, person_id=person.id
    )
    if allowed:
        assert _themes(db, org, principal).themes
    else:
        with pytest.raises(Forbidden):
            _themes(db, org, principal)


def test_org_themes_show_only_themes_with_enough_reviewers(db: Session, org: f.Org) -> None:
    result = org_themes(
        db_session=db, principal=Principal(role=Role.HR), period_id=org.period.id, embedder=minilm()
    )
    assert result.min_authors == 3
    assert len(result.themes) == 2 and result.withheld_themes == 1
    for theme in result.themes:
        assert theme.authors >= 3 and theme.subjects == 1
        assert all("Eli" not in text for text in theme.representatives)
    with pytest.raises(InvalidInput) as refused:
        org_themes(
            db_session=db,
            principal=Principal(role=Role.HR),
            period_id=org.period.id,
            embedder=minilm(),
            min_authors=1,
        )
    assert refused.value.code == "below_anonymity_threshold"


def test_themes_api_faces(client: TestClient, org: f.Org) -> None:
    params = {"period_id": str(org.period.id)}
    url = f"/v1/people/{org.engineer.id}/themes"
    assert client.get(url, params=params, headers=org.auth("manager")).status_code == 200
    denied = client.get(url, params=params, headers=org.auth("engineer"))
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert client.get(url, headers=org.auth("manager")).status_code == 422  # period_id required
    org_url = f"/v1/periods/{org.period.id}/themes"
    assert client.get(org_url, headers=org.auth("hr")).status_code == 200
    assert client.get(org_url, headers=org.auth("manager")).status_code == 403
    low = client.get(org_url, params={"min_authors": 2}, headers=org.auth("hr"))
    assert low.status_code == 422 and low.json()["code"] == "below_anonymity_threshold"
    status = client.get("/v1/ingest", headers=org.auth("hr"))
    assert status.status_code == 200 and status.json()["pending"] == 0
