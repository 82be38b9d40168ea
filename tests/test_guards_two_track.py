"""The two-track detector: talent-track mentions in their many forms, the near misses that
share a word with them, level names from the ladder, and the labelled set's bar.

The sentences here are written apart from evals/data/two_track.jsonl, in other forms, so the
tests also check that the rules are not fitted to the set's exact wording.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import ValidationError

from synth.guards.two_track import (
    GUARD,
    TALENT_KEYS,
    LadderTerms,
    Lexicon,
    check_two_track,
    default_ladder_terms,
    find_mentions,
    forbidden_mentions,
    ladder_terms,
    lexicon,
    mentions_talent_track,
    talent_track_topics,
)
from synth.people.ladder import DEFAULT_LADDER, parse_ladder

LABELLED = Path(__file__).resolve().parents[1] / "evals" / "data" / "two_track.jsonl"


def codes(text: str, ladder: LadderTerms | None = None) -> set[str]:
    return {code for code, _ in forbidden_mentions(text, ladder=ladder)}


MENTIONS = [
    # pay: inflections, compounds, amounts near pay words
    ("Pay him more; he's the reason the cutover worked.", "mentions_compensation"),
    ("They are clearly being underpaid relative to the market.", "mentions_compensation"),
    ("She asked me whether a salary adjustment was possible.", "mentions_compensation"),
    ("We should top up his equity after the acquisition.", "mentions_compensation"),
    ("A 12 percent raise would bring her in line.", "mentions_compensation"),
    ("He is due a pay increase by any measure.", "mentions_compensation"),
    ("I'd hand her a bonus for the Black Friday prep.", "mentions_compensation"),
    ("Give him an extra $8k; he earned it.", "mentions_compensation"),
    ("He keeps asking for more money and I think he's right.", "mentions_compensation"),
    ("Overview: strong delivery; peers think she is paid too little.", "mentions_compensation"),
    ("Equity-wise she's behind everyone hired after her.", "mentions_compensation"),
    ("Her base salary hasn't moved since she joined.", "mentions_compensation"),
    ("A raise feels overdue.", "mentions_compensation"),
    # ratings
    ("Rating: strong.", "mentions_rating"),
    ("I'd rate him highly on ownership.", "mentions_rating"),
    ("A 3/5 on communication, honestly.", "mentions_rating"),
    ("She exceeds expectations in every area I saw.", "mentions_rating"),
    ("He's an underperformer on the review side.", "mentions_rating"),
    ("An 'exceeds' feels right for this half.", "mentions_rating"),
    ("Would give her top marks on delivery.", "mentions_rating"),
    ("He's rated lower than he should be.", "mentions_rating"),
    # promotion
    ("I'd nominate her for promotion without hesitation.", "mentions_promotion"),
    ("Time to promote Lena.", "mentions_promotion"),
    ("She's ready to be a senior engineer.", "mentions_promotion"),
    ("He could be principal in a year or two.", "mentions_promotion"),
    ("Promotion-ready, in my opinion.", "mentions_promotion"),
    ("Let's put her forward for senior this round.", "mentions_promotion"),
    ("Expectation: Prepare your promo packet by May.", "mentions_promotion"),
    # level changes
    ("We should level him up.", "mentions_level_change"),
    ("She was hired at the wrong level and should be re-levelled.", "mentions_level_change"),
    ("A down-levelling would be unfair after this half.", "mentions_level_change"),
    ("She should be bumped up a level.", "mentions_level_change"),
    # level alignment (talent mapping)
    ("He is operating below his current level on planning.", "mentions_level_alignment"),
    ("Not yet meeting the level on written communication.", "mentions_level_alignment"),
    ("A solid senior on every measure.", "mentions_level_alignment"),
    ("Principal-level judgement on the storage migration.", "mentions_level_alignment"),
    ("He's not at senior yet on design work.", "mentions_level_alignment"),
    ("Already working at the next level up.", "mentions_level_alignment"),
    # calibration, performance plans, talent assessment
    ("We'll discuss her at calibration next week.", "mentions_calibration"),
    ("Calibrating Ana against her peers, she comes out ahead.", "mentions_calibration"),
    ("We should consider a PIP.", "mentions_performance_plan"),
    ("She'll be PIP'd if she misses another on-call.", "mentions_performance_plan"),
    ("If this continues we'd put him on a plan with HR.", "mentions_performance_plan"),
    ("High-potential, and a flight risk if ignored.", "mentions_talent_assessment"),
    ("She's in the top-right of the nine-box.", "mentions_talent_assessment"),
    ("I'd flag her as at risk of leaving.", "mentions_talent_assessment"),
    ("He's making way less than his peers.", "mentions_compensation"),
    ("Paying her market rate would fix the retention problem.", "mentions_compensation"),
    ("She got a 5 on the last review.", "mentions_rating"),
    ("The strongest performer on the team this year.", "mentions_rating"),
    ("He's operating like a staff engineer already.", "mentions_level_alignment"),
    ("She should be leveled as staff.", "mentions_level_change"),
    ("Calibrated at meets, which feels low.", "mentions_calibration"),
    ("We discussed him in the talent review.", "mentions_talent_assessment"),
    ("He is the obvious successor to Tomasz.", "mentions_talent_assessment"),
]


@pytest.mark.parametrize(("sentence", "code"), MENTIONS)
def test_each_talent_track_mention_is_found_with_its_code(sentence: str, code: str) -> None:
    assert code in codes(sentence), forbidden_mentions(sentence)


NEAR_MISSES = [
    "Raise the question of ownership at the next planning meeting.",
    "His patience with the flaky tests paid off in the end.",
    "We are paying down the debt in the auth module.",
    "It paid dividends when the second region failed.",
    "The payments API now retries idempotently, and Apple Pay is live.",
    "The payroll export job moved to the new scheduler.",
    "The salary slips feature for our HR customers shipped in May.",
    "We get paid by merchants on a monthly cycle.",
    "Bonus points for the clear commit messages.",
    "She worked on equity of access to the on-call tooling.",
    "The stock price widget no longer flickers.",
    "The compensation handler in the saga undoes the charge.",
    "The p99 rose 10% after the deploy, and a 10% bump in errors followed.",
    "Error rates dropped and the rate limiter config is in version control.",
    "She rated the vendor SDKs against our requirements.",
    "Latency went from 4/5 of the budget to half.",
    "Key step: Rate each open risk as high, medium or low in the tracker.",
    "He met the expectation on test coverage in full.",
    "The expectation was exceeded: coverage reached 92%.",
    "Review ratings on the app store improved after the crash fix.",
    "The next level of detail is in the appendix.",
    "Use the next level's expectations as a guide for this stretch goal.",
    "Senior engineers across the org use her template.",
    "Our staff meeting now has an agenda.",
    "The senior engineer on call handled the page.",
    "She shadowed a staff engineer for a week.",
    "He promoted the release candidate to stable.",
    "The caching layer promoted hot keys to memory.",
    "She promotes a blameless tone in incident reviews.",
    "The promotion banner on the home page loads lazily now.",
    "She calibrated the anomaly detector on a month of data.",
    "Calibration of the new load balancer weights took a day.",
    "Performance tests caught the regression before release.",
    "The pip cache and the compiler warnings are both fixed.",
    "Let them go ahead with the rollout once the canary is green.",
    "He fired off a quick fix within minutes of the page.",
    "There's real potential to cut the build time further.",
    "A level playing field for every team in planning.",
    "The tests run at the unit level and the integration level.",
    "Keep the standard you hold now, at the Senior Engineer standard.",
    "Ready for review by Friday.",
    "He should be the on-call lead next month.",
    "Bumped the pool size by 20% to absorb the spike.",
    "Be more direct when someone on the team is not meeting expectations.",
    # a manager's own duties, in the ladder's words for managers
    "Address underperformance on the team within weeks, not quarters.",
    "Support engineers who are doing well at their current level.",
    "Build a succession plan for the on-call lead role.",
    "Own the performance process for the organisation.",
    "Calibrate the interview loop with two senior interviewers.",
    "He raised the logging level to debug for the incident.",
    "The team promoted the schema change to production on Tuesday.",
    "A 4 out of 5 success rate on the canary checks was not enough.",
    "Her onboarding plan for the senior hires was thorough.",
    "He calibrated the p99 alert to page only on sustained breaches.",
    "Our equity dashboards for the finance team launched.",
    "We paid them for the consulting work.",
    "She published her package to npm.",
    "The ratings page loads in 200ms.",
    "Her comp sci background shows in the query planner work.",
]


@pytest.mark.parametrize("sentence", NEAR_MISSES)
def test_near_misses_are_not_mentions(sentence: str) -> None:
    assert forbidden_mentions(sentence) == []


# The offline drafter's own wording for a next-level expectation (growth expectations may
# "demonstrate evidence of requirements of the next level") stays on the feedback track.
OFFLINE_NEXT_LEVEL = [
    "Practise one Staff engineer expectation on a real piece of work by 30 June: “Drives "
    "cross-team initiatives to completion”",
    "It names one behaviour from the next level and asks for it on one real piece of work, "
    "not a new scope.",
    "Write down what good looks like, using the next level's description as the bar",
    "Ask a more senior engineer to review your approach before you start",
    "Stability is a valid goal: from the Senior Engineer expectations for delivery, kept at a "
    "steady standard rather than stretched.",
]


@pytest.mark.parametrize("sentence", OFFLINE_NEXT_LEVEL)
def test_next_level_expectations_are_feedback_track(sentence: str) -> None:
    assert forbidden_mentions(sentence) == []


def test_a_remedial_level_judgement_is_talent_mapping() -> None:
    rationale = "Remedial: the gap is well corroborated, so meeting the current level here "
    found = codes(rationale + "comes first.")
    assert found == {"mentions_level_alignment"}


# --- ladder vocabulary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    key: str
    name: str


WAYFINDER = ladder_terms(
    [Level("builder", "Builder"), Level("wayfinder", "Wayfinder"), Level("guide_2", "Guide II")],
    ratings=["Trailblazer"],
)


def test_the_default_ladder_terms_come_from_the_packaged_ladder() -> None:
    terms = default_ladder_terms()
    assert {"senior", "senior engineer", "staff", "principal", "em", "director"} <= set(
        terms.levels
    )
    assert "engineer" not in terms.levels, "a generic word is never a level on its own"
    spec = parse_ladder(DEFAULT_LADDER.read_text(), source="default")
    assert ladder_terms(spec.levels) == terms


def test_a_custom_ladder_level_name_counts_as_a_level_decision() -> None:
    assert "mentions_promotion" in codes("She is ready for Wayfinder.", WAYFINDER)
    assert "mentions_promotion" in codes("Make him a Guide II by June.", WAYFINDER)
    assert "mentions_level_alignment" in codes("Wayfinder-level impact on search.", WAYFINDER)
    assert codes("She is ready for Wayfinder.") == set(), "the default ladder has no Wayfinder"


def test_a_custom_ladder_level_as_a_description_is_not_a_decision() -> None:
    assert codes("Wayfinders on the team review her designs.", WAYFINDER) == set()


def test_ladder_rating_words_count_as_ratings() -> None:
    assert "mentions_rating" in codes("Rated trailblazer by her skip-level.", WAYFINDER)
    assert "mentions_rating" in codes("A “Trailblazer” for this half.", WAYFINDER)


# --- the guard and the helpers --------------------------------------------------------------


def test_check_two_track_reports_each_mention_with_its_path_and_blocks() -> None:
    engineer = {
        "overview": "Reviewers describe reliable delivery.",
        "strengths": [{"summary": "Strong senior; she deserves a raise.", "claims": []}],
        "growth_areas": [{"summary": "Raise risks earlier, the day a slip is known."}],
        "expectations": [{"title": "Get her to staff this year", "note": ""}],
    }
    findings = check_two_track(engineer)
    assert {(f.path, f.code) for f in findings} == {
        ("strengths[0].summary", "mentions_level_alignment"),
        ("strengths[0].summary", "mentions_compensation"),
        ("expectations[0].title", "mentions_promotion"),
    }
    assert all(f.guard == GUARD and f.blocking and not f.overridable for f in findings)


def test_check_two_track_uses_the_organisations_ladder() -> None:
    engineer = {"overview": "Ready for Wayfinder by the autumn."}
    assert check_two_track(engineer) == []
    [finding] = check_two_track(engineer, ladder=WAYFINDER)
    assert (finding.code, finding.path) == ("mentions_promotion", "overview")


def test_talent_fields_still_flow_in_as_talent_content() -> None:
    [finding] = check_two_track({"overview": "Fine.", "recommended_level": "staff"})
    assert finding.code == "talent_content" and "recommended_level" in TALENT_KEYS


def test_the_codes_kept_from_before_and_the_new_ones() -> None:
    assert {
        "mentions_compensation",
        "mentions_rating",
        "mentions_promotion",
        "mentions_level_change",
        "mentions_calibration",
        "mentions_talent_assessment",
        "mentions_level_alignment",
        "mentions_performance_plan",
    } == set(lexicon().codes)


def test_feedback_that_mentions_pay_and_promotion_names_both_topics() -> None:
    text = "Great half. Honestly she deserves a raise, and a promotion to staff."
    assert talent_track_topics(text) == ["pay", "promotion"]
    assert mentions_talent_track(text)
    assert not mentions_talent_track("Great half; the failover doc was excellent.")


def test_mentions_carry_their_span() -> None:
    text = "Solid work. She is underpaid."
    [mention] = find_mentions(text)
    assert text[mention.start : mention.end] == mention.words == "underpaid"


def test_overlapping_hits_of_one_code_count_once() -> None:
    assert forbidden_mentions("He deserves a pay raise.") == [
        ("mentions_compensation", "pay raise")
    ]


def test_a_lexicon_with_a_broken_pattern_is_refused() -> None:
    raw = lexicon().model_dump()
    raw["codes"]["mentions_rating"]["rules"][0]["match"].append("(?:unclosed")
    with pytest.raises(ValidationError, match="does not compile"):
        Lexicon.model_validate(raw)
    raw = lexicon().model_dump()
    raw["near_misses"][0]["codes"] = ["mentions_weather"]
    with pytest.raises(ValidationError, match="unknown codes"):
        Lexicon.model_validate(raw)


# --- the labelled set keeps its bar ---------------------------------------------------------


def test_the_labelled_set_is_large_with_a_third_near_misses() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    near = [r for r in rows if r["category"].startswith("near_miss_")]
    assert len(rows) >= 300 and len(near) * 3 >= len(rows)
    assert all(not r["talent"] for r in near)


@pytest.mark.parametrize("labelled", [LABELLED, LABELLED.with_name("two_track_after_rules.jsonl")])
def test_the_labelled_sets_have_full_recall_and_precision_of_at_least_095(
    labelled: Path,
) -> None:
    rows = [json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines()]
    flagged = [(r, bool(forbidden_mentions(r["text"]))) for r in rows]
    missed = [r["text"] for r, hit in flagged if r["talent"] and not hit]
    false = [r["text"] for r, hit in flagged if hit and not r["talent"]]
    caught = sum(hit for r, hit in flagged if r["talent"])
    assert missed == []
    assert caught / (caught + len(false)) >= 0.95, false
