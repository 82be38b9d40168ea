"""Verdicts on an expectation read from one text, and the status they lead to."""

import uuid

import pytest

from synth.cycles.models import ExpectationKind, Outcome
from synth.drafting.inputs import ExpectationInput, Quote
from synth.drafting.offline.evidence import expectation_evidence
from synth.drafting.offline.verdicts import verdict_class
from synth.drafting.outputs import EvidenceStatus, SourceKind


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # a share of the work done
        ("Six of the nine dashboards have an owner now.", "partial"),
        ("Only one of the eight teams has adopted the new client.", "missed"),
        ("Of its 12 alerts, 9 were tuned before the freeze.", "partial"),
        ("All four runbooks are written and reviewed.", "met"),
        # part done, part not started
        ("The iOS and Android clients are live; the web client has not started.", "partial"),
        ("The rollout was paused in October after two services.", "partial"),
        # a number against its target
        ("p95 is at 480 ms against a target of 300.", "missed"),
        ("Signup conversion ended at 3.1%, not 4%.", "missed"),
        ("The team met its error-budget target every month.", "met"),
        ("She hit the March deadline with a week to spare.", "met"),
    ],
)
def test_a_verdict_is_read_from_the_text(text: str, verdict: str) -> None:
    assert verdict_class(text) == verdict


def test_a_share_counts_against_the_share_the_title_asks_for() -> None:
    title = "Move at least seven of the ten services to the new queue"
    assert verdict_class("Eight of the ten services are on the new queue.", title) == "met"
    assert verdict_class("Five of the ten services are on the new queue.", title) == "partial"


def test_a_number_moving_against_the_goal_is_a_miss() -> None:
    title = "Cut the monthly storage bill by 20%"
    assert verdict_class("The storage bill went up 8% over the half.", title) == "missed"
    assert verdict_class("The storage bill went up 8% over the half.") is None


@pytest.mark.parametrize(
    "text",
    [
        "The exporter has run for months without a missed batch.",
        "His review caught a race condition which we had missed in planning.",
        "Teams now ask for a design review early, which did not happen before.",
        "Search is one of the four teams not yet on the new queue.",
    ],
)
def test_words_that_are_no_verdict_on_the_work(text: str) -> None:
    assert verdict_class(text) not in ("missed", "met")


def _quote(text: str, kind: SourceKind) -> Quote:
    return Quote(source_id=uuid.uuid4(), source_kind=kind, start=0, end=len(text), text=text)


def _expectation(
    *, done: int, total: int, outcome: Outcome | None, peers: list[str]
) -> ExpectationInput:
    return ExpectationInput(
        id=uuid.uuid4(),
        position=1,
        title="Move the payment webhooks to the new queue",
        kind=ExpectationKind.TEAM_OBJECTIVE,
        key_steps_done=done,
        key_steps_total=total,
        self_outcome=outcome,
        peer_comments=[_quote(p, SourceKind.PEER_FEEDBACK) for p in peers],
    )


def test_key_steps_alone_do_not_turn_partly_met_into_missed() -> None:
    expectation = _expectation(done=0, total=2, outcome=Outcome.PARTIALLY_MET, peers=[])
    assert expectation_evidence(expectation).status is EvidenceStatus.PARTIALLY


def test_a_reviewers_count_of_the_work_is_a_verdict() -> None:
    peers = ["Three of the five webhook consumers are on the new queue."]
    expectation = _expectation(done=0, total=0, outcome=None, peers=peers)
    found = expectation_evidence(expectation)
    assert found.status is EvidenceStatus.PARTIALLY
    assert "reads as partly done" in found.note
