"""The bias guard: flagged words in review sentences, none in ordinary engineering feedback."""

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from synth.cycles.models import Relationship
from synth.drafting.inputs import FeedbackItem
from synth.drafting.outputs import Citation, Claim, Coverage, Synthesis, ThemeSection
from synth.guards import bias_lexicon
from synth.guards.bias import BiasHit, bias_terms, check_bias, check_feedback_bias
from synth.guards.findings import Finding

P, G, C = "personality", "gendered", "coded"

# One sentence per lexicon entry: (sentence, words flagged as written, category).
FLAGGED = [
    ("She can be abrasive when she disagrees in design reviews.", "abrasive", P),
    ("He is aggressive in code reviews and talks over junior engineers.", "aggressive", P),
    ("She is too emotional when incidents drag on.", "emotional", P),
    ("Her bubbly personality makes standups fun.", "bubbly", P),
    ("Some peers find her bossy in planning meetings.", "bossy", P),
    ("Her tone gets shrill during incident calls.", "shrill", P),
    ("She was feisty in the architecture review.", "feisty", P),
    ("His replies in code review were a bit sassy.", "sassy", P),
    ("She got hysterical when the deploy failed.", "hysterical", P),
    ("He has been moody since the reorg.", "moody", P),
    ("She can be dramatic about small regressions.", "dramatic", P),
    ("She can be difficult to work with when plans change.", "difficult", P),
    ("Her intimidating manner keeps juniors quiet in design reviews.", "intimidating", P),
    ("He was pushy about getting his PR merged before the freeze.", "pushy", P),
    ("She is high-maintenance and needs constant check-ins.", "high-maintenance", P),
    ("He is temperamental when reviews don't go his way.", "temperamental", P),
    ("She is so sweet and always helps the new hires.", "sweet", P),
    ("He is such a cute presenter that nobody challenges his numbers.", "cute", P),
    ("There were catty comments about the launch plan.", "catty", P),
    ("He is too sensitive to feedback on his pull requests.", "too sensitive", P),
    ("She is thin-skinned about code review.", "thin-skinned", P),
    ("His brash style alienated the platform team.", "brash", P),
    ("She was strident in arguing for the rewrite.", "strident", P),
    ("He gets combative in retros.", "combative", P),
    ("She is prickly when people ask about her service.", "prickly", P),
    ("His overbearing approach in pairing sessions wore people out.", "overbearing", P),
    ("He is hot-headed during incidents.", "hot-headed", P),
    ("She is a bit high-strung before launches.", "high-strung", P),
    ("He is needy and asks for reviews on every change.", "needy", P),
    ("He has an attitude problem with the QA team.", "attitude problem", P),
    ("She was bitchy to the designers.", "bitchy", G),
    ("She was hormonal during the launch week.", "hormonal", G),
    ("She takes a motherly interest in the interns.", "motherly", G),
    ("She is like a mother hen with the new hires.", "like a mother hen", G),
    ("The girls on the platform team shipped the new scheduler.", "girls", G),
    ("He needs to man up and own the pager.", "man up", G),
    ("We lacked the manpower to finish the migration.", "manpower", G),
    ("The rewrite took about 300 man-hours.", "man-hours", G),
    ("He acted as chairman of the architecture guild.", "chairman", G),
    ("He fits right in and is one of the guys.", "one of the guys", G),
    ("For a woman, she is very technical.", "For a woman", G),
    ("She is our strongest female engineer.", "female engineer", G),
    ("Her pushback in the meeting was unladylike.", "unladylike", G),
    ("As a working mom she still hits every deadline.", "working mom", G),
    ("He is the alpha male of the backend team.", "alpha male", G),
    ("He is very articulate in customer calls.", "articulate", C),
    ("She is well-spoken and presents well to executives.", "well-spoken", C),
    ("Honestly he is not a culture fit for this team.", "not a culture fit", C),
    ("We need someone young and energetic for the on-call rotation.", "young and energetic", C),
    ("As a digital native she picked up the tooling quickly.", "digital native", C),
    ("Typical millennial, he prefers Slack to meetings.", "millennial", C),
    ("His old-school approach to deployments slows the team.", "old-school", C),
    ("He is set in his ways about the build system.", "set in his ways", C),
    ("Some felt he is too old to learn the new stack.", "too old", C),
    ("He is sharp for his age.", "for his age", C),
    ("The team calls him grandpa because of his vim setup.", "grandpa", C),
    ("She is overqualified for this role.", "overqualified", C),
    ("She lacks polish in executive meetings.", "lacks polish", C),
    ("He is a polished presenter.", "polished", C),
    ("She needs more executive presence before leading the org.", "executive presence", C),
    ("Customers remember her exotic looks more than her demos.", "exotic", C),
    ("His urban style of speaking puts customers off.", "urban", C),
    ("Her heavy accent makes stand-ups hard to follow.", "heavy accent", C),
    ("He is always well-dressed for customer meetings.", "well-dressed", C),
    ("The deploy script is a ghetto fix.", "ghetto", C),
]

# Engineering feedback, including the traps: "aggressive" about work, "difficult" about a
# problem, "polished" about an artefact, "emotional support", "nice to have", Sass.
CLEAN = [
    "The Q3 timeline is aggressive but achievable if we cut the admin UI.",
    "We set an aggressive deadline for the Postgres 16 upgrade.",
    "She tuned the GC aggressively and p99 latency dropped by 30%.",
    "The CDN caches static assets aggressively, so invalidation matters.",
    "Retries were too aggressive and amplified the outage.",
    "He proposed an aggressive prefetch strategy for the feed.",
    "Autoscaling was configured aggressively to absorb the launch spike.",
    "They aggressively refactored the billing module into three services.",
    "An aggressive roadmap for H2 left little room for tech debt.",
    "The estimate looked aggressive, so we added a buffer.",
    "Scope was cut aggressively to hit the date.",
    "She provided emotional support to the on-call engineer after the incident.",
    "Emotional intelligence shows in how she runs retros.",
    "He debugged a difficult race condition in the scheduler.",
    "She led a difficult conversation about the reorg with care.",
    "The migration was difficult because the schema had drifted.",
    "They made a difficult trade-off between latency and cost.",
    "They are difficult to reproduce without production traffic.",
    "He handled a difficult customer escalation calmly.",
    "Dark mode is a nice to have for this release.",
    "The docs are polished and the onboarding guide is clear.",
    "She shipped a polished UI for the admin console.",
    "The UI still lacks polish on the settings page.",
    "He articulated the trade-offs clearly in the design doc.",
    "She can articulate the requirements to stakeholders.",
    "The dramatic drop in p99 latency came from the index change.",
    "Latency improved dramatically after the index change.",
    "The CI runner is temperamental on Mondays.",
    "The legacy service is high-maintenance and pages us weekly.",
    "We migrated our styles from Sass to CSS modules.",
    "The codebase felt intimidating at first, but the runbooks helped.",
    "The alerts were too sensitive, so we raised the thresholds.",
    "She mentors Girls Who Code volunteers on weekends.",
    "We grandfathered existing customers into the old pricing.",
    "We use an urban mobility dataset for the routing service.",
    "The sweet spot for batch size was 500 rows.",
    "That is a cute hack, but please add a test.",
    "The designers updated their accent colour tokens.",
    "The man page for the CLI is out of date.",
    "Pushing the deploy button is now a single command.",
    "The mood of the retro was positive.",
    "The library is too old to support HTTP/2.",
    "She reviewed every pull request within a day and unblocked the release.",
]


@pytest.mark.parametrize(("text", "term", "category"), FLAGGED)
def test_flags_the_word_with_its_category(text: str, term: str, category: str) -> None:
    assert [(h.term, h.category) for h in bias_terms(text)] == [(term, category)]


@pytest.mark.parametrize("text", CLEAN)
def test_engineering_feedback_is_not_flagged(text: str) -> None:
    assert bias_terms(text) == []


def test_every_lexicon_entry_is_exercised_and_suggests_something_of_its_own() -> None:
    suggestions = [bias_terms(text)[0].suggestion for text, _, _ in FLAGGED]
    lexicon = [term for terms in bias_lexicon.lexicon().values() for term in terms]
    assert len(lexicon) == len(FLAGGED) == 65
    assert set(suggestions) == {term.suggestion for term in lexicon}
    assert len(set(suggestions)) == len(suggestions)
    assert all(s.strip() and ", e.g. " in s for s in suggestions)


@pytest.mark.parametrize(("text", "term", "category"), FLAGGED)
def test_offsets_are_exact(text: str, term: str, category: str) -> None:
    [hit] = bias_terms(text)
    assert text[hit.start : hit.end] == hit.term == term


def test_hit_carries_offsets_and_suggestion() -> None:
    [hit] = bias_terms("She is abrasive.")
    assert hit == BiasHit(
        term="abrasive",
        start=7,
        end=15,
        category=P,
        suggestion=bias_lexicon.lexicon()[P][0].suggestion,
    )


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Peers mention her ABRASIVENESS in reviews.", "ABRASIVENESS"),
        ("He reacted emotionally to the postmortem.", "emotionally"),
        ("She aggressively shut down the proposal in the meeting.", "aggressively"),
        ("His bossiness put off the new hires.", "bossiness"),
        ("Her pushiness in planning annoyed product.", "pushiness"),
        ("He is Moodier than last half.", "Moodier"),
        ("She was being Difficult about the on-call swap.", "Difficult"),
        ("He intimidates new hires in code review.", "intimidates"),
        ("He can be passive-aggressive in pull request comments.", "passive-aggressive"),
        ("We need to increase the man days on the project.", "man days"),
        ("He’s set in his own ways.", "set in his own ways"),
        ("She's not a good fit for our culture.", "not a good fit for our culture"),
    ],
)
def test_inflections_and_case(text: str, term: str) -> None:
    assert [h.term for h in bias_terms(text)] == [term]


def test_several_hits_come_in_text_order() -> None:
    text = "She is bubbly but abrasive, and for a woman she is very articulate."
    assert [(h.term, h.category, h.start) for h in bias_terms(text)] == [
        ("bubbly", P, 7),
        ("abrasive", P, 18),
        ("for a woman", G, 32),
        ("articulate", C, 56),
    ]


def test_overlapping_terms_give_one_hit_the_longest_at_the_earliest_start() -> None:
    assert [h.term for h in bias_terms("For a female engineer she ships a lot.")] == [
        "For a female engineer"
    ]


def test_aggressive_about_a_person_next_to_aggressive_about_a_plan() -> None:
    text = "The timeline was aggressive, and he was aggressive with the reviewers."
    assert [(h.term, h.start) for h in bias_terms(text)] == [("aggressive", 40)]


def test_message_names_the_category_the_words_and_the_suggestion() -> None:
    [finding] = check_bias("She is abrasive.", "overview")
    assert finding == Finding(
        guard="bias",
        code="biased_language",
        blocking=False,
        message=f'personality-focused word "abrasive": {bias_lexicon.lexicon()[P][0].suggestion}',
        path="overview",
    )
    [phrase] = check_bias("He is one of the guys.")
    assert phrase.message.startswith('gendered phrase "one of the guys": describe how they work')
    assert phrase.path is None


def _synthesis(summary: str, claim: str, talking_points: list[str]) -> Synthesis:
    quote = "She shipped the cache."
    citation = Citation(source_id=uuid.uuid4(), quote=quote, start=0, end=len(quote))
    section = ThemeSection(
        theme="Delivery",
        summary=summary,
        claims=[Claim(text=claim, citations=[citation])],
        reviewers=3,
    )
    return Synthesis(
        overview="A strong half.",
        strengths=[section],
        growth_areas=[section],
        expectations=[],
        self_vs_peers=[],
        talking_points=talking_points,
        coverage=Coverage(
            feedback_available=3, feedback_used=3, themes_available=1, themes_cited=1
        ),
    )


def test_check_bias_walks_a_draft_model_with_paths() -> None:
    draft = _synthesis(
        summary="Reviewers call her abrasive.",
        claim="She set an aggressive timeline and met it.",
        talking_points=["Ask about the Q3 roadmap.", "Peers find him bossy and moody."],
    )
    assert [(f.path, f.message.split(":")[0]) for f in check_bias(draft)] == [
        ("strengths[0].summary", 'personality-focused word "abrasive"'),
        ("growth_areas[0].summary", 'personality-focused word "abrasive"'),
        ("talking_points[1]", 'personality-focused word "bossy"'),
        ("talking_points[1]", 'personality-focused word "moody"'),
    ]


class _Note(BaseModel):
    body: str
    tags: tuple[str, ...] = ()


def test_check_bias_walks_dicts_lists_tuples_and_nested_models() -> None:
    value = {
        "sections": [{"title": "Growth", "notes": ["Fine.", ("Very old-school.",)]}],
        "note": _Note(body="She is well-spoken.", tags=("ok", "digital native")),
        "count": 3,
        "id": None,
    }
    assert [(f.path, f.message.split(":")[0]) for f in check_bias(value, "draft")] == [
        ("draft.sections[0].notes[1][0]", 'coded word "old-school"'),
        ("draft.note.body", 'coded word "well-spoken"'),
        ("draft.note.tags[1]", 'coded phrase "digital native"'),
    ]


def test_check_bias_of_clean_text_is_empty() -> None:
    assert check_bias({"overview": CLEAN}) == []


def test_check_feedback_bias_points_at_the_feedback_and_does_not_block() -> None:
    flagged = FeedbackItem(
        id=uuid.uuid4(),
        reviewer="R1",
        relationship=Relationship.PEER,
        specific=False,
        text="Great engineer, but abrasive and a bit emotional in incidents.",
    )
    clean = FeedbackItem(
        id=uuid.uuid4(),
        reviewer="R2",
        relationship=Relationship.MANAGER,
        specific=True,
        text="Cut p99 latency by 40% with an aggressive caching plan.",
    )
    findings = check_feedback_bias([flagged, clean])
    assert [(f.source_id, f.path, f.blocking, f.guard, f.code) for f in findings] == [
        (flagged.id, None, False, "bias", "biased_language"),
        (flagged.id, None, False, "bias", "biased_language"),
    ]
    assert [f.message.split(":")[0] for f in findings] == [
        'personality-focused word "abrasive"',
        'personality-focused word "emotional"',
    ]


# --- the lexicon file -----------------------------------------------------------------------


def test_the_shipped_lexicon_loads_with_its_fragments_filled_in() -> None:
    terms = [term for terms in bias_lexicon.lexicon().values() for term in terms]
    assert len(terms) == 65
    for term in terms:
        left = re.findall(r"\{([a-z_]+)\}", term.pattern + term.when + term.unless)
        assert set(left) <= {"w"}, term


def _raw_lexicon() -> Any:
    return yaml.safe_load(bias_lexicon.LEXICON.read_text(encoding="utf-8"))


def _unknown_fragment(raw: Any) -> None:
    raw["personality"][1]["unless"] = r"{w}\s+{wrok}"


def _bad_pattern(raw: Any) -> None:
    raw["coded"][0]["pattern"] = "articulate(?:ly"


def _misspelt_key(raw: Any) -> None:
    raw["gendered"][2]["sugestion"] = raw["gendered"][2].pop("suggestion")


@pytest.mark.parametrize(
    ("spoil", "error"),
    [
        (_unknown_fragment, r"personality\[1\] \(.*aggressive.*\): unknown fragment \{wrok\}"),
        (_bad_pattern, r"coded\[0\] \(articulate\(\?:ly\): pattern does not compile"),
        (_misspelt_key, r"gendered\.2\.suggestion\n\s+Field required"),
    ],
)
def test_a_malformed_entry_is_refused_saying_where(
    spoil: Callable[[Any], None], error: str
) -> None:
    raw = _raw_lexicon()
    spoil(raw)
    with pytest.raises(ValidationError, match=error):
        bias_lexicon.BiasLexicon.model_validate(raw)
