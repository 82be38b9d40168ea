"""Theme titles are phrases from the theme's own statements, as a person would write them."""

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from synth.evaluation.evaluators.themes import is_keyword_list
from synth.themes.labels import keyphrase_labels, phrase_titles
from synth.themes.phrases import MAX_TITLE_WORDS, candidates
from tests.embedders import minilm

REVIEWS = [
    "Code reviews from Priya often arrive two days late, which blocks the release.",
    "Her code reviews arrive late and the team waits on them.",
    "I waited three days for a review on the ledger change.",
]
DOCS = [
    "Her design docs are clear and easy to follow.",
    "The design doc for the cache laid out every failure mode.",
    "Kofi said the failover design doc was the clearest he had read.",
]
INCIDENTS = [
    "During the 9 September outage she kept the incident channel calm.",
    "She stays calm in incidents and the team follows her lead.",
]


def _titles(themes: list[list[str]], **kwargs: object) -> list[str]:
    embedder = minilm()
    vectors = [embedder.embed(t) for t in themes]
    return phrase_titles(themes, vectors, embedder.embed, model=embedder.name, **kwargs)  # type: ignore[arg-type]


def test_titles_are_phrases_from_the_themes_own_statements_not_keyword_lists() -> None:
    themes = [REVIEWS, DOCS, INCIDENTS]
    titles = _titles(themes, exclude=["priya"])
    assert len(titles) == 3 and len(set(titles)) == 3
    for title, texts in zip(titles, themes, strict=True):
        assert any(title.lower() in t.lower() for t in texts), title  # lifted, not invented
        assert not is_keyword_list(title) and 2 <= len(title.split()) <= MAX_TITLE_WORDS, title
        assert title[0].isupper()
        words = set(re.findall(r"\w+", title.lower()))
        assert not words & {"priya", "kofi", "her", "she", "he", "i", "my", "we"}, title
        assert not re.search(r"\d", title), title
    embedder = minilm()
    own = embedder.embed(titles) @ embedder.embed([" ".join(t) for t in themes]).T
    assert all(own[i].argmax() == i for i in range(3))  # each title is about its own theme


def test_a_hosted_embedder_gets_no_phrases_to_embed_and_a_shared_term_is_used() -> None:
    themes = [REVIEWS, DOCS]
    vectors = [minilm().embed(t) for t in themes]
    titles = phrase_titles(themes, vectors, None, model="text-embedding-3-small")
    terms = keyphrase_labels(themes, per_theme=1)
    assert [t.lower() for t in titles] == terms
    assert all(t[0].isupper() and not is_keyword_list(t) for t in titles), titles


def test_two_bare_words_joined_by_and_never_title_a_theme() -> None:
    themes = [
        ["The app and storybook were both updated.", "App and storybook now share tokens."],
        DOCS,
    ]
    vectors = [minilm().embed(t) for t in themes]
    titles = phrase_titles(themes, vectors, minilm().embed, model="minilm-test")
    assert not any(is_keyword_list(t) for t in titles), titles


def test_titling_the_same_themes_again_embeds_nothing_new() -> None:
    calls: list[int] = []
    embedder = minilm()

    def counting(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        calls.append(len(texts))
        vectors: npt.NDArray[np.float32] = embedder.embed(texts)
        return vectors

    themes = [INCIDENTS, DOCS]
    vectors = [embedder.embed(t) for t in themes]
    first = phrase_titles(themes, vectors, counting, model="counting-minilm")
    again = phrase_titles(themes, vectors, counting, model="counting-minilm")
    assert first == again and len(calls) == 1 and calls[0] > 0


def test_a_theme_with_nothing_to_title_falls_back_without_failing() -> None:
    embedder = minilm()
    empty = np.zeros((0, embedder.dim), dtype=np.float32)
    titles = phrase_titles(
        [DOCS, []], [embedder.embed(DOCS), empty], embedder.embed, model=embedder.name
    )
    assert titles[0] and titles[1] == "(no distinctive words)"


def test_a_title_never_ends_on_a_dangling_adverb() -> None:
    migration = [
        "Her migration plan split the 14 checkout and account pages into weekly slices.",
        "Checkout and account pages moved over weekly, ahead of the November date.",
    ]
    titles = _titles([migration, DOCS])
    assert not any(t.lower().split()[-1].endswith("ly") for t in titles), titles


def test_a_fallback_title_names_the_work_not_a_feeling() -> None:
    theme = ["I'd love for her to delegate more; she does a lot on her own.", "I love to see it."]
    other = ["Her design docs are clear.", "The design doc was great."]
    title = keyphrase_labels([theme, other], per_theme=1)[0]
    assert title.lower() not in {"love", "lot", "great"}, title


def test_a_title_is_one_phrase_not_two_strung_together() -> None:
    build = [
        "Ana moved the mobile build agents onto Harbor with very little help from us.",
        "The mobile build agents run on Harbor now and the build stays green.",
    ]
    titles = _titles([build, DOCS])
    words = titles[0].lower().split()
    assert sum(w in {"onto", "with", "from", "on"} for w in words) <= 1, titles
    assert words[-1] not in {"little", "much", "more"} and words[0] != "outside", titles


def test_a_title_never_names_a_role() -> None:
    """The only designer among the reviewers would be named by a "Designer ..." title."""
    tokens = [
        "The designer handoff for the token pipeline was smooth.",
        "Designer handoff notes for the tokens were clear and complete.",
    ]
    titles = _titles([tokens, DOCS])
    assert "designer" not in titles[0].lower(), titles


def test_a_possessive_becomes_the_only_where_it_does_not_say_whose() -> None:
    names = frozenset({"nadia"})
    assert "defensive when the PRs are challenged" in candidates(
        "He can also get defensive when his PRs are challenged.", names
    )
    # At the clause's end it says whose work: no title drops or keeps it.
    assert candidates("Nadia's confidence on call is his work.", names) == ["confidence on call"]
    # "help her be heard": an object, not a possessive.
    assert candidates("I want to help her be heard in the room.", names) == ["heard in the room"]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        (
            "She tends to quietly absorb extra work, though.",
            "quietly absorb extra",
        ),  # before its noun
        ("The card controls went out two weeks early.", "card controls went"),  # verb needs more
        (
            "Ben is one of the nicest people to work with and a strong incident responder.",
            "work with and",
        ),
        ("I want to help change that with a demo at the All-Hands.", "change that with a demo"),
        (
            "She set up my build environment and explained the signing process.",
            "build environment and explained the signing process",
        ),
        ("Chris picked up the US failover faster than I expected.", "failover faster"),
    ],
)
def test_a_candidate_never_cuts_a_phrase_in_two(text: str, cut: str) -> None:
    assert not any(c.lower() == cut.lower() for c in candidates(text, frozenset({"ben", "chris"})))


def test_a_subject_is_left_out_and_its_verb_may_open_the_title() -> None:
    found = candidates("She tends to quietly absorb extra work, though.", frozenset())
    assert "tends to quietly absorb extra work" in found
    assert "picked up the US failover" in candidates(
        "Chris picked up the US failover faster than I expected.", frozenset({"chris"})
    )
