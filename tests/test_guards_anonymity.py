"""The anonymity guard (issue 5): the engineer-facing version never reveals who wrote what.

Pure, no database. People, titles and feedback come from the demo's Northwind Labs material:
Javier Morales's reviewers are Hana Kobayashi (the only designer), Lucía Fernández (Payments
PM), Aisha Rahman and Sofia Marchetti (peers, Sofia the only staff engineer) and his manager
Tomasz Wiśniewski.
"""

import csv
import json
import re
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from synth.drafting.offline.text import engineer_safe
from synth.evidence import PersonName, Quote, SourceKind
from synth.guards.anonymity import GUARD, Reviewer
from synth.guards.anonymity.check import check_anonymity
from synth.guards.anonymity.phrases import identifying_phrases, self_identifying
from synth.guards.anonymity.quotes import cut_quote
from synth.guards.findings import Finding

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "synth/demo/data"
PEOPLE = {
    row["email"]: row for row in csv.DictReader((DATA / "people.csv").read_text().splitlines())
}
FEEDBACK = [json.loads(line) for line in (DATA / "feedback.jsonl").read_text().splitlines()]
OVERVIEW = (
    "Your reviewers see strengths in “Refunds delivery” and “Discovery partnership”. The areas "
    "they most suggest working on: “Estimates”. Your manager will go through the examples with "
    "you in your 1:1."
)


def name(local: str) -> PersonName:
    email = f"{local}@northwind.example"
    return PersonName(
        id=uuid.uuid5(uuid.NAMESPACE_URL, email), name=PEOPLE[email]["name"], email=email
    )


def reviewer(local: str, relationship: str = "peer") -> Reviewer:
    row = PEOPLE[f"{local}@northwind.example"]
    return Reviewer(
        person=name(local),
        title=row["title"],
        function=row["function"],
        relationship=relationship,
    )


JAVIER = name("javier.morales")
HANA = reviewer("hana.kobayashi", "cross_functional")
LUCIA = reviewer("lucia.fernandez", "cross_functional")
AISHA = reviewer("aisha.rahman")
SOFIA = reviewer("sofia.marchetti")
TOMASZ = reviewer("tomasz.wisniewski", "manager")
JAVIERS_REVIEWERS = [HANA, LUCIA, AISHA, SOFIA, TOMASZ]
JAVIERS_FEEDBACK = [row["text"] for row in FEEDBACK if row["subject_email"] == JAVIER.email]


def synthesis(summary: str = "", note: str = "", overview: str = OVERVIEW) -> dict[str, Any]:
    """An engineer-facing synthesis, as `engineer_version` releases it."""
    return {
        "overview": overview,
        "strengths": [
            {
                "theme": "Refunds delivery",
                "summary": summary or "Reviewers credit you with shipping partial refunds.",
            },
            {
                "theme": "Discovery partnership",
                "summary": "Several reviewers value how early you join discovery work.",
            },
        ],
        "growth_areas": [
            {"theme": "Estimates", "summary": "Estimates tended to be optimistic this half."}
        ],
        "expectations": [
            {
                "title": "Ship partial refunds for web checkout",
                "status": "met",
                "note": "Shipped on 29 October with two weeks of support preview.",
            },
            {
                "title": "Cut p99 checkout latency to 400 ms",
                "status": "partially_met",
                "note": note or "p99 went from 850 ms to about 520 ms.",
            },
        ],
    }


def suggestions(step: str) -> dict[str, Any]:
    """An engineer-facing expectation suggestion set."""
    return {
        "expectations": [
            {
                "title": "Flag schedule risk on every Payments project within a day",
                "kind": "growth",
                "rationale": "Answers the estimates theme.",
                "source": "Estimates",
                "smart": {
                    "specific": "Post a risk note when a date moves.",
                    "measurable": "Every slipped date has a note within one working day.",
                    "achievable": "Uses the existing release channel.",
                    "relevant": "Stakeholders plan launches on these dates.",
                    "time_bound": "From the start of the period.",
                },
                "due_on": None,
                "key_steps": [
                    "Add a risk line to the weekly update",
                    "Review estimates against actuals monthly",
                    step,
                ],
            }
        ]
    }


def check(
    engineer_text: dict[str, Any],
    reviewers: list[Reviewer] | None = None,
    feedback: list[str] | None = None,
) -> list[tuple[str, str | None]]:
    found = check_anonymity(
        engineer_text,
        reviewers=JAVIERS_REVIEWERS if reviewers is None else reviewers,
        feedback_texts=JAVIERS_FEEDBACK if feedback is None else feedback,
        subject=JAVIER,
    )
    return [(f.code, f.path) for f in found]


def codes(text: str, reviewers: list[Reviewer] | None = None) -> list[str]:
    return [code for code, _ in check(synthesis(summary=text), reviewers)]


# --- clean drafts -----------------------------------------------------------------------------


def test_a_clean_synthesis_and_suggestion_set_pass() -> None:
    assert check(synthesis()) == []
    assert check(suggestions("Agree the plan with your manager before each quarter")) == []


def test_the_system_overview_sentence_does_not_fire() -> None:
    released = synthesis(overview="Your manager will go through the examples with you in your 1:1.")
    assert check(released) == []


def test_the_subjects_own_name_is_allowed() -> None:
    summary = "Javier Morales's refunds work set the bar; Javier's notes help everyone."
    assert codes(summary) == []
    # Even when the subject is among the authors (as for a self-assessment), it is their name.
    assert codes(summary, [*JAVIERS_REVIEWERS, Reviewer(person=JAVIER)]) == []


def test_a_reviewer_sharing_the_subjects_first_name_is_caught_by_full_name_only() -> None:
    namesake = Reviewer(
        person=PersonName(id=uuid.uuid4(), name="Javier Ortega", email="jo@northwind.example")
    )
    reviewers = [*JAVIERS_REVIEWERS, namesake]
    assert codes("Javier led discovery.", reviewers) == []
    assert codes("Javier Ortega saw it.", reviewers) == ["author_named"]
    assert codes("Ortega saw it.", reviewers) == ["author_named"]


# --- names, emails, handles -------------------------------------------------------------------


@pytest.mark.parametrize(
    "summary",
    [
        "Hana values the constraints notes you write before design reviews.",
        "Kobayashi values your constraints notes.",
        "Hana Kobayashi values your constraints notes.",
        "In Hana's view the notes changed the flow.",
        "In Hana’s view the notes changed the flow.",
        "Lucía relies on your discovery work.",
        "Lucia relies on your discovery work.",
        "Fernandez relies on your discovery work.",
        "Wisniewski wants more buffer in estimates.",
        "Wiśniewski wants more buffer in estimates.",
        "TOMASZ wants more buffer in estimates.",
        "As hana.kobayashi put it in chat, the notes help.",
    ],
)
def test_a_reviewer_name_in_any_spelling_is_author_named(summary: str) -> None:
    assert check(synthesis(summary=summary)) == [("author_named", "strengths[0].summary")]


def test_names_are_found_in_both_shapes_with_their_paths() -> None:
    assert check(synthesis(note="Sofia says the fraud call move was the big win.")) == [
        ("author_named", "expectations[1].note")
    ]
    assert check(suggestions("Pair with Aisha on the latency budget")) == [
        ("author_named", "expectations[0].key_steps[2]")
    ]


def test_a_lowercase_word_equal_to_a_surname_is_not_a_name() -> None:
    olivia = reviewer("olivia.grant")
    assert codes("Ask for a grant of time to fix flaky tests.", [olivia]) == []
    assert codes("Grant noticed the flaky tests.", [olivia]) == ["author_named"]


def test_either_apostrophe_spells_a_name() -> None:
    obrien = Reviewer(
        person=PersonName(id=uuid.uuid4(), name="Siobhan O'Brien", email="so@northwind.example")
    )
    assert codes("O’Brien values the notes.", [obrien]) == ["author_named"]
    assert codes("O'Brien values the notes.", [obrien]) == ["author_named"]


def test_a_multi_word_first_name_is_one_mention() -> None:
    mei_lin = reviewer("meilin.zhou")
    found = check_anonymity(
        synthesis(summary="Mei Lin's guide on flaky tests is now linked in reviews."),
        reviewers=[mei_lin],
        feedback_texts=[],
    )
    assert [(f.code, f.message) for f in found] == [
        (
            "author_named",
            "'Mei Lin' names a reviewer of this draft: the engineer-facing version never says "
            "who wrote what",
        )
    ]


def test_any_email_address_is_present_even_a_strangers() -> None:
    assert check(synthesis(summary="Mail support@acme.example for the refunds runbook.")) == [
        ("email_present", "strengths[0].summary")
    ]
    assert check(suggestions("Copy lucia.fernandez@northwind.example on risk notes")) == [
        ("email_present", "expectations[0].key_steps[2]")
    ]


@pytest.mark.parametrize(
    "summary",
    [
        "R1 and others value your notes.",
        "As R12 notes, estimates slip.",
        "According to reviewer R3 the notes help.",
        "Reviewer 2 values your notes.",
        "reviewer #4 values your notes.",
    ],
)
def test_reviewer_handles_are_flagged_once(summary: str) -> None:
    assert check(synthesis(summary=summary)) == [("reviewer_handle", "strengths[0].summary")]


@pytest.mark.parametrize(
    "summary",
    [
        "R&D asked for a preview.",
        "PR 12 fixed the retry.",
        "Three reviewers agree.",
        "Use R2D2.",
        "Book a reviewer 1:1 after the cycle.",
    ],
)
def test_things_that_look_like_handles_are_not(summary: str) -> None:
    assert codes(summary) == []


# --- identifying details ----------------------------------------------------------------------


def test_a_designer_among_engineers_is_singled_out_by_the_word_designer() -> None:
    assert codes("The designer noted that your notes changed her flows.") == ["identifying_detail"]
    assert codes("Your product designer values the notes.") == ["identifying_detail"]
    assert codes("You kept the design team informed.") == ["identifying_detail"]


def test_design_activities_and_plurals_are_not_identifying() -> None:
    assert codes("You wrote a constraints note before each design review.") == []
    assert codes("Your design docs are clear.") == []
    assert codes("You work well with designers.") == []


def test_the_designer_is_not_singled_out_when_two_designers_reviewed() -> None:
    second = Reviewer(
        person=PersonName(id=uuid.uuid4(), name="Noor Saleh", email="noor@northwind.example"),
        title="Product Designer",
        function="design",
        relationship="cross_functional",
    )
    assert codes("The designer noted that your notes help.", [*JAVIERS_REVIEWERS, second]) == []


def test_the_only_pm_is_singled_out_but_not_a_time_of_day() -> None:
    assert codes("Agree scope with the PM first.") == ["identifying_detail"]
    assert codes("The product manager relies on your discovery work.") == ["identifying_detail"]
    assert codes("Join the 3 PM standup.") == []
    assert codes("Share risks with PMs early.") == []


def test_a_team_alone_is_not_identifying_but_a_team_role_or_attribution_is() -> None:
    daniel = reviewer("daniel.osei", "cross_functional")
    two_pms = [*JAVIERS_REVIEWERS, daniel]
    assert codes("Payments shipped partial refunds on time.", two_pms) == []
    assert codes("The PM noted your discovery work.", two_pms) == []
    assert codes("A Payments PM noted your discovery work.", two_pms) == ["identifying_detail"]
    assert codes("Someone on Payments said the notes help.", two_pms) == ["identifying_detail"]


@pytest.mark.parametrize(
    "summary",
    [
        "Your manager said estimates slip.",
        "Your manager's feedback is that estimates slip.",
        "According to your skip-level, the refunds launch was strong.",
        "One of your direct reports would like more notice.",
        "A direct report mentioned the 1:1s.",
        "Your report said the 1:1s are useful.",
        "Your PM feels the discovery work is strong.",
        "Someone from the design side observed the notes.",
        "A staff engineer noted the latency work.",
        "As the only designer, she values the notes.",
        "The only PM on the team relies on your discovery work.",
    ],
)
def test_pointers_that_attribute_or_self_identify_are_identifying(summary: str) -> None:
    found = check(synthesis(summary=summary))
    assert ("identifying_detail", "strengths[0].summary") in found
    assert {code for code, _ in found} <= {"identifying_detail", "relationship_stated"}


@pytest.mark.parametrize(
    "summary",
    [
        "Agree the plan with your manager before each quarter.",
        "Ask your manager for feedback on estimates.",
        "Your manager will help you plan buffers.",
        "You stepped in as the only on-call engineer that week.",
        "A senior engineer mentored you.",
        "Reviewers say you mentor peers patiently.",
        "Your manager will go through the examples with you, as the team noted.",
    ],
)
def test_pointers_that_attribute_nothing_or_single_out_no_one_pass(summary: str) -> None:
    assert codes(summary) == []


def test_a_peer_is_singled_out_when_only_one_peer_reviewed() -> None:
    one_peer = [HANA, LUCIA, AISHA, TOMASZ]
    assert "identifying_detail" in codes("A peer said the notes help.", one_peer)


@pytest.mark.parametrize(
    "summary",
    [
        "A peer said the notes help.",
        "Three reviewers, including their management chain, raise estimates.",
        "Four reviewers, including a cross-functional partner, describe the notes as a strength.",
        "Peers and their manager raise the same concern about estimates.",
        "Feedback from peers and cross-functional partners praises the notes.",
        "Cross-functional partners say the notes help.",
        "Your skip-level and two peers noted the late estimates.",
    ],
)
def test_released_text_never_says_which_relationships_said_what(summary: str) -> None:
    assert ("relationship_stated", "strengths[0].summary") in check(synthesis(summary=summary))


def test_relationship_words_in_key_steps_are_instructions_not_attribution() -> None:
    steps = "Ask two peers and your manager to review the plan, including the skip-level"
    assert "relationship_stated" not in [c for c, _ in check(suggestions(steps))]


def test_a_level_is_not_identifying_when_two_reviewers_hold_it() -> None:
    kwame = reviewer("kwame.asante")
    two_seniors = [*JAVIERS_REVIEWERS, kwame, reviewer("elena.petrova")]
    assert codes("A senior engineer noted the latency work.", [*JAVIERS_REVIEWERS, kwame]) == [
        "identifying_detail"
    ]
    assert codes("A senior engineer noted the latency work.", two_seniors) == []


def test_identifying_phrases_names_what_each_pattern_points_at() -> None:
    phrases = identifying_phrases(JAVIERS_REVIEWERS)
    designer = [p for what, p in phrases if what == "the only designer among the reviewers"]
    assert len(designer) == 1
    assert designer[0].search("the designer noted") is not None
    assert designer[0].search("design review") is None
    assert {what for what, _ in phrases} >= {
        "self-identification",
        "the only PM among the reviewers",
        "the Payments PM",
        "the Payments engineering manager",
        "the engineer's manager",
        "the only staff engineer among the reviewers",
    }
    assert all(isinstance(p, re.Pattern) for _, p in phrases)


# --- verbatim quotes --------------------------------------------------------------------------


def test_eight_copied_words_are_a_verbatim_quote_and_seven_are_not() -> None:
    # The source: "He came to every refunds discovery session and wrote a one-page ..."
    eight = "You came to every refunds discovery session and wrote notes."
    seven = "You came to every refunds discovery session and shipped."
    assert check(synthesis(summary=eight)) == [("verbatim_quote", "strengths[0].summary")]
    assert check(synthesis(summary=seven)) == []


def test_verbatim_ignores_case_and_punctuation_and_reports_one_run() -> None:
    copied = "HE CAME TO EVERY REFUNDS DISCOVERY SESSION, AND WROTE A ONE PAGE CONSTRAINTS NOTE!"
    found = check_anonymity(
        synthesis(note=copied),
        reviewers=JAVIERS_REVIEWERS,
        feedback_texts=JAVIERS_FEEDBACK,
        subject=JAVIER,
    )
    assert [(f.code, f.path) for f in found] == [("verbatim_quote", "expectations[1].note")]
    assert found[0].message.startswith("14 words copied verbatim from feedback (")
    assert "paraphrase it or cut it to the non-identifying part" in found[0].message


def test_every_finding_is_a_blocking_anonymity_finding() -> None:
    found = check_anonymity(
        synthesis(summary="Hana (hana.kobayashi@northwind.example, R1) said so."),
        reviewers=JAVIERS_REVIEWERS,
        feedback_texts=JAVIERS_FEEDBACK,
        subject=JAVIER,
    )
    assert sorted(f.code for f in found) == ["author_named", "email_present", "reviewer_handle"]
    assert all(isinstance(f, Finding) and f.guard == GUARD == "anonymity" for f in found)
    assert all(f.blocking for f in found)


# --- cutting quotes ---------------------------------------------------------------------------


def test_the_self_identifying_designer_quote_is_cut_to_its_anonymous_part() -> None:
    line_18 = FEEDBACK[17]
    assert line_18["text"].startswith("As the only designer on the Payments team")
    assert cut_quote(line_18["text"], reviewers=JAVIERS_REVIEWERS) == (
        "He came to every refunds discovery session…"
    )


def test_cut_quote_drops_named_and_first_person_clauses() -> None:
    quote = "His partnership with Hana is a model, and the notes are short. I like them."
    assert cut_quote(quote, reviewers=JAVIERS_REVIEWERS) == "and the notes are short."
    assert cut_quote("I loved it. My team did too.", reviewers=JAVIERS_REVIEWERS) is None


def test_cut_quote_drops_clauses_that_open_with_a_role() -> None:
    quote = "As a new joiner on the team, the runbook saved hours."
    assert cut_quote(quote, reviewers=JAVIERS_REVIEWERS) == "the runbook saved hours."


def test_a_cut_that_would_become_identifying_is_cut_further() -> None:
    # In the whole quote "3\nPM" is a time; cut after the first-person clause, "PM" would
    # name the only PM among the reviewers.
    quote = "I moved standup to 3\nPM notes now go out on time."
    assert codes(quote) == []
    assert cut_quote(quote, reviewers=JAVIERS_REVIEWERS) is None


def test_cut_quote_counts_words_as_the_verbatim_check_does() -> None:
    quote = "He wrote a one-page constraints note before each design review."
    assert cut_quote(quote, reviewers=JAVIERS_REVIEWERS) == "He wrote a one-page constraints note…"
    assert cut_quote(quote, reviewers=JAVIERS_REVIEWERS, max_words=20) == quote


def test_every_demo_quote_cut_passes_the_guard() -> None:
    """cut_quote's output never trips the guard, over all 156 demo feedback rows."""
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in FEEDBACK:
        by_subject[row["subject_email"]].append(row)
    nothing_left = []
    checked = 0
    for number, row in enumerate(FEEDBACK, start=1):
        rows = by_subject[row["subject_email"]]
        reviewers = [reviewer(r["author_email"].partition("@")[0], r["relationship"]) for r in rows]
        texts = [r["text"] for r in rows] + [
            a["comment"] for r in rows for a in r["expectation_answers"]
        ]
        subject = name(row["subject_email"].partition("@")[0])
        quotes = [row["text"]] + [a["comment"] for a in row["expectation_answers"]]
        for quote in quotes:
            cut = cut_quote(quote, reviewers=reviewers)
            if cut is None:
                nothing_left.append(number)
                continue
            checked += 1
            found = check_anonymity(
                synthesis(summary=cut), reviewers=reviewers, feedback_texts=texts, subject=subject
            )
            assert found == [], (number, cut, found)
    assert len(FEEDBACK) == 156
    assert checked + len(nothing_left) == 156 + sum(len(r["expectation_answers"]) for r in FEEDBACK)
    # Texts where every clause speaks in the first person or names a reviewer (line 23: "Chris
    # picked up the US failover faster than I expected ..."), and two first-person comments.
    assert nothing_left == [23, 37, 57, 61, 126]
    assert checked == 252


def test_a_reviewer_singling_themselves_out_is_never_quoted_as_evidence() -> None:
    def quote(text: str, kind: SourceKind) -> Quote:
        return Quote(source_id=uuid.uuid4(), source_kind=kind, start=0, end=len(text), text=text)

    own = "As the only designer on the wallet squad, I sat in every implementation review."
    assert self_identifying(own)
    assert not engineer_safe(quote(own, SourceKind.PEER_FEEDBACK))
    # The engineer's own account may say it: it identifies nobody else.
    assert engineer_safe(quote(own, SourceKind.SELF_ASSESSMENT))
    plain = "He sat in every implementation review and answered design questions the same day."
    assert not self_identifying(plain)
    assert engineer_safe(quote(plain, SourceKind.PEER_FEEDBACK))
