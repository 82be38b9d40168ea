"""Themes of one person's feedback, org-wide themes for HR, and who may see them."""

import re

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from synth.auth.models import Role
from synth.auth.principal import Principal
from synth.cycles.models import Relationship
from synth.errors import Forbidden, InvalidInput
from synth.evaluation.evaluators.themes import is_keyword_list
from synth.people.models import Person
from synth.people.names import name_variants
from synth.themes.files import Record, cluster_records
from synth.themes.ingest import ingest
from synth.themes.models import Statement
from synth.themes.polarity import Polarity
from synth.themes.schemas import PersonThemes
from synth.themes.service import (
    min_theme_size,
    org_theme_size,
    org_themes,
    person_themes,
)
from synth.themes.stance import rehome_dissent, split_by_stance
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
    "Risks on his projects surface late, usually after the date has already moved.",
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


# --- names never label a theme ----------------------------------------------------------------


def _subject_themes(db: Session, o: f.Org, subject: Person) -> PersonThemes:
    return person_themes(
        db_session=db,
        principal=Principal.system(),
        person_id=subject.id,
        period_id=o.period.id,
        embedder=minilm(),
    )


def _labels(db: Session, o: f.Org, subject: Person) -> list[str]:
    result = _subject_themes(db, o, subject)
    assert result.themes
    return [t.label.lower() for t in result.themes]


def _reviewed_by_four(
    db: Session, sessions: sessionmaker[Session], o: f.Org, subject: Person, texts: list[str]
) -> None:
    authors = [o.teammate, o.partner, o.pm, o.outsider]
    for i, text in enumerate(texts):
        f.feedback(db, authors[i % len(authors)], subject, o.period, text)
    db.commit()
    ingest(sessions, minilm())


# Mostly lowercase mid-sentence, so only the org's name variants can tell "seun" is a name.
SEUN = [
    "Seun learns new parts of the codebase quickly and asks sharp questions.",
    "Pairing with seun on the mobile app was easy, and seun learns fast.",
    "Seun learns from every code review and applies it the next day.",
    "I mentor seun weekly; seun learns quickly and takes notes.",
    "Seun learns the on-call runbooks faster than anyone this half.",
]


BOB = [
    "Bob writes clear design docs that the whole team reuses.",
    "Design docs from Bob are clear and get reused across teams.",
    "Bob's design docs are the clearest in the org; we reuse them.",
    "We reuse bob's design doc template for every new service.",
]


@pytest.mark.parametrize(
    ("name", "texts", "never"),
    [
        # a fragment of a long name, mostly lowercase: only the name list catches it
        ("Oluwaseun Adeyemi", SEUN, {"seun", "oluwaseun", "adeyemi"}),
        ("Robert Vance", BOB, {"bob", "robert", "vance"}),  # a common nickname
    ],
)
def test_a_name_variant_never_labels_a_theme(
    db: Session, sessions: sessionmaker[Session], name: str, texts: list[str], never: set[str]
) -> None:
    o = f.org(db)
    subject = f.person(db, name, manager=o.manager, level="junior")
    _reviewed_by_four(db, sessions, o, subject, texts)
    for label in _labels(db, o, subject):
        assert not never & set(label.replace("·", " ").split()), label


KOFI = [
    "He pairs with Kofi on the billing migration every week.",
    "The billing migration moved faster once he and Kofi split the work.",
    "Together with Kofi he planned the billing migration cutover.",
    "He unblocked Kofi twice during the billing migration.",
]


def test_a_name_from_outside_the_org_never_labels_a_theme(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    _reviewed_by_four(db, sessions, o, o.engineer, KOFI)
    for label in _labels(db, o, o.engineer):
        assert "kofi" not in label


def test_files_never_label_a_theme_with_a_proper_name() -> None:
    texts = KOFI + ["The office coffee machine makes excellent espresso."]
    records = [Record(line=i + 1, id=i, text=t) for i, t in enumerate(texts)]
    result = cluster_records(records, minilm())
    labels = [t["label"].lower() for t in result.summary["themes"]]
    assert labels and all("kofi" not in label for label in labels)


# --- the management chain never makes a peer identifiable -------------------------------------

GROWTH = [
    "His pull requests are huge and hard to review in one sitting.",
    "Pull requests from him are too large to review properly.",
    "Huge pull requests make his changes slow and hard to review.",
]


@pytest.fixture
def chain_backed(db: Session, sessions: sessionmaker[Session]) -> f.Org:
    """A growth theme backed by the engineer's manager, skip-level and one peer."""
    o = f.org(db)
    for author, text, relationship in zip(
        (o.manager, o.director, o.teammate),
        GROWTH,
        (Relationship.MANAGER, Relationship.SKIP_LEVEL, Relationship.PEER),
        strict=True,
    ):
        f.feedback(db, author, o.engineer, o.period, text, relationship=relationship)
    db.commit()
    ingest(sessions, minilm())
    return o


def test_the_management_chain_does_not_count_towards_the_threshold(
    db: Session, chain_backed: f.Org
) -> None:
    result = _themes(db, chain_backed, Principal.system())
    (theme,) = result.themes
    assert theme.support.authors == 3
    assert theme.support.outside_chain == 1
    assert not theme.meets_anonymity_threshold


def test_the_person_themes_api_reports_reviewers_outside_the_chain(
    client: TestClient, chain_backed: f.Org
) -> None:
    response = client.get(
        f"/v1/people/{chain_backed.engineer.id}/themes",
        params={"period_id": str(chain_backed.period.id)},
        headers=chain_backed.auth("manager"),
    )
    assert response.status_code == 200
    (theme,) = response.json()["themes"]
    assert theme["support"]["authors"] == 3 and theme["support"]["outside_chain"] == 1
    assert theme["meets_anonymity_threshold"] is False


# --- HR reads no statement about an individual ------------------------------------------------

# Two subjects with two statements each on large pull requests, and one with a single,
# distinctive statement on the same topic: it may count, never be shown.
PRS_SEUN = [
    "Seun's pull requests are huge and hard to review, and he rarely splits them up.",
    "His PRs are enormous; reviewing them takes a whole afternoon for him and for us.",
]
PRS_ELI = [
    "Eli opens giant pull requests that she then has to walk reviewers through herself.",
    "Her pull requests are too large to review carefully, so bugs slip through.",
]
PRS_LONE = "Tara's pull requests are sprawling and she gets abrasive when asked to split them."
GENDERED = {"he", "she", "him", "her", "his", "hers", "himself", "herself"}


@pytest.fixture
def hr_period(db: Session, sessions: sessionmaker[Session]) -> tuple[f.Org, Person]:
    o = f.org(db)
    seun = f.person(db, "Oluwaseun Adeyemi", manager=o.other_manager, level="junior")
    rows = [
        (o.teammate, seun, PRS_SEUN[0]),
        (o.partner, seun, PRS_SEUN[1]),
        (o.outsider, o.engineer, PRS_ELI[0]),
        (o.pm, o.engineer, PRS_ELI[1]),
        (o.partner, o.teammate, PRS_LONE),
    ]
    for author, subject, text in rows:
        f.feedback(db, author, subject, o.period, text)
    # A theme about one person only, backed by three reviewers outside their chain.
    for author, text in zip((o.teammate, o.partner, o.pm), ON_CALL, strict=True):
        f.feedback(db, author, o.engineer, o.period, text)
    db.commit()
    ingest(sessions, minilm())
    return o, seun


def test_hr_reads_themes_without_statements_about_individuals(
    client: TestClient, db: Session, hr_period: tuple[f.Org, Person]
) -> None:
    o, _ = hr_period
    response = client.get(f"/v1/periods/{o.period.id}/themes", headers=o.auth("hr"))
    assert response.status_code == 200
    themes = response.json()["themes"]
    prs = next(t for t in themes if t["subjects"] == 3)
    on_call = next(t for t in themes if t["subjects"] == 1)
    assert prs["representatives"], "a theme spanning several people shows excerpts"
    assert on_call["representatives"] == [], "a theme about one person shows none"
    variants = frozenset().union(
        *(name_variants(p.name, p.email) for p in db.scalars(select(Person)))
    )
    statements = PRS_SEUN + PRS_ELI + [PRS_LONE] + ON_CALL
    for theme in themes:
        assert "relationships" not in theme
        assert not {"subject_id", "subject_ids", "person_id"} & set(theme)
        assert not variants & set(re.findall(r"\w+", theme["label"].lower()))
        for excerpt in theme["representatives"]:
            words = [w.lower() for w in re.findall(r"\w+", excerpt)]
            assert len(words) <= 7
            assert excerpt.rstrip("…") not in statements
            assert not GENDERED & set(words)
            assert not variants & set(words) - {"name"}
            # The lone statement's own words ("sprawling", "abrasive") never show.
            assert not {"sprawling", "abrasive", "tara"} & set(words)


def test_pay_talk_never_names_a_theme(db: Session, sessions: sessionmaker[Session]) -> None:
    o = f.org(db)
    pay = [
        "She should be paid more though, she is underpaid compared to the rest of us.",
        "Honestly she deserves a 15% raise and a promo to senior this cycle.",
        "Writing is strong; her compensation lags the team and that needs a pay bump.",
        "Her written design docs are strong, but she is underpaid for that writing.",
    ]
    _reviewed_by_four(db, sessions, o, o.engineer, pay)
    for label in _labels(db, o, o.engineer):
        assert not {"underpaid", "compensation", "raise", "promo"} & set(label.split())
    # Nothing else to show it by: the manager still sees its statements as examples.
    assert all(t.representatives for t in _subject_themes(db, o, o.engineer).themes)


def test_a_biased_remark_never_names_a_theme_and_titles_are_phrases(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    texts = [
        "She is quite bossy in code reviews, honestly.",
        "Her code reviews are thorough and catch real bugs before release.",
        "Code reviews from her are careful and arrive within a day.",
        "She is bossy in code reviews and too aggressive with comments.",
    ]
    _reviewed_by_four(db, sessions, o, o.engineer, texts)
    for label in _labels(db, o, o.engineer):
        words = set(re.findall(r"\w+", label))
        assert not {"bossy", "aggressive"} & words, label
        assert "·" not in label and len(words) >= 2, label


def test_org_themes_are_named_by_shared_words_never_a_phrase_from_one_statement(
    db: Session, org: f.Org
) -> None:
    result = org_themes(
        db_session=db, principal=Principal(role=Role.HR), period_id=org.period.id, embedder=minilm()
    )
    statements = db.execute(select(Statement.text, Statement.author_id)).all()
    assert result.themes
    for theme in result.themes:
        writers = {a for text, a in statements if theme.label.lower() in text.lower()}
        assert len(writers) >= 2, theme.label  # words several people wrote, never one's phrase
        assert not is_keyword_list(theme.label), theme.label


def test_praise_and_criticism_of_one_thing_become_two_themes() -> None:
    labels = [0, 0, 0, 0, 0, 1, 1, -1]
    stance = [0.6, 0.4, -0.5, -0.7, 0.0, 0.5, -0.5, -0.9]
    # theme 0: two praise, two criticism (criticism leaves on a tie), neutral stays;
    # theme 1: one of each, below the smallest theme: it stays one (mixed) theme.
    assert split_by_stance(labels, stance, 2) == [0, 0, 2, 2, 0, 1, 1, -1]
    assert split_by_stance(labels, stance, 3) == labels


def test_a_lone_dissent_moves_to_the_closer_theme_that_leans_its_way() -> None:
    a, b, c = np.eye(3, dtype=np.float32)
    # Theme 0 praises topic a; its one critical statement (index 2) is about topic b, which
    # theme 1 criticises: it moves there. Theme 0's other critical statement (index 3) is
    # about topic a like its neighbours: it stays, and so does the lone praise of topic c in
    # theme 1 (index 6), which no praising theme is closer to.
    matrix = np.stack([a, a, b, a, b, b, c, a])
    labels = [0, 0, 0, 0, 1, 1, 1, 0]
    stance = [0.6, 0.5, -0.7, -0.5, -0.6, -0.4, 0.8, 0.7]
    assert rehome_dissent(labels, stance, matrix, 3) == [0, 0, 1, 0, 1, 1, 1, 0]
    # Two dissenting statements are a side of their own (split_by_stance's business).
    assert rehome_dissent(labels, stance, matrix, 2) == labels
    # A single theme has nowhere to send anyone.
    assert rehome_dissent([0] * 8, stance, matrix, 3) == [0] * 8


def test_reviews_praised_and_criticised_are_a_strength_and_a_growth_area(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    texts = [
        "Her code reviews are thorough and catch real bugs before release.",
        "Her code reviews are careful and her comments are always clear.",
        "Her code reviews arrive late and block my pull requests for days.",
        "Code reviews from her are slow, and my changes wait a week for them.",
    ]
    _reviewed_by_four(db, sessions, o, o.engineer, texts)
    result = _subject_themes(db, o, o.engineer)
    assert sorted(t.polarity for t in result.themes) == sorted(
        [Polarity.STRENGTH, Polarity.GROWTH_AREA]
    )


def test_a_growth_area_is_shown_by_its_criticism_not_its_praise(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    o = f.org(db)
    texts = [
        "Her code reviews arrive late and block my pull requests for days.",
        "Code reviews from her are slow, and my changes wait a week for them.",
        "Her code reviews are thorough and catch real bugs before release.",
    ]
    _reviewed_by_four(db, sessions, o, o.engineer, texts)
    result = _subject_themes(db, o, o.engineer)
    for theme in result.themes:
        if theme.polarity is Polarity.GROWTH_AREA:
            shown = {r.text for r in theme.representatives}
            assert texts[2] not in shown, shown
    assert any(t.polarity is Polarity.GROWTH_AREA and t.size == 3 for t in result.themes), [
        (t.polarity, t.size) for t in result.themes
    ]


def test_an_org_theme_needs_as_many_statements_as_the_reviewers_hr_asks_for() -> None:
    # Not one person's sizing (400 statements asked 11 a theme and left HR two themes).
    assert min_theme_size(429) == 11
    assert org_theme_size(9) == org_theme_size(429) == 3
    assert org_theme_size(40_000) == 10  # grows slowly with the organisation
