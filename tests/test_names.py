"""Name variants, names in free text, and masking: the one home of these text primitives."""

import pytest

from synth.people.names import (
    is_handle,
    mask_names,
    name_variants,
    proper_names,
)
from synth.text import fold, neutral_pronouns
from synth.themes.labels import keyphrase_labels


def test_variants_fold_accents_and_keep_the_written_form() -> None:
    variants = name_variants("Tomasz Wiśniewski", "tomasz.wisniewski@northwind.example")
    assert {"tomasz", "wiśniewski", "wisniewski", "tomasz wisniewski"} <= variants
    assert fold("Łukasz Søren") == "Lukasz Soren"


def test_variants_split_hyphens_and_apostrophes() -> None:
    variants = name_variants("Jean-Luc O'Brien", "")
    assert {"jean-luc", "jean", "luc", "o'brien", "brien"} <= variants


def test_variants_take_the_email_local_part_and_its_pieces() -> None:
    variants = name_variants("Mei Lin Zhou", "meilin.zhou@northwind.example")
    assert {"meilin.zhou", "meilin", "zhou", "mei lin", "mei", "lin"} <= variants


def test_variants_know_common_nicknames_both_ways() -> None:
    assert {"bob", "rob", "bobby"} <= name_variants("Robert Vance", "")
    assert "robert" in name_variants("Bob Vance", "")
    assert {"sam", "sammy"} <= name_variants("Samuel Okonkwo", "")


def test_variants_clip_long_parts_to_what_colleagues_call_people() -> None:
    assert {"seun", "oluwa", "yemi"} <= name_variants("Oluwaseun Adeyemi", "")
    assert "alex" in name_variants("Alexander Petrov", "")


def test_clippings_that_are_common_words_are_not_names() -> None:
    assert "than" not in name_variants("Priya Raghunathan", "")
    assert not {"march", "morale", "moral"} & name_variants("Sofia Marchetti Morales", "")
    # Too short to clip: three-letter pieces are mostly other words.
    assert not {"pri", "riya", "priy"} & name_variants("Priya", "")


@pytest.mark.parametrize("handle", ["R3", "r12", "reviewer #2", "Reviewer 4"])
def test_reviewer_handles_are_recognised(handle: str) -> None:
    assert is_handle(handle)


@pytest.mark.parametrize("word", ["R2D2", "review", "3", "rr3"])
def test_other_words_are_not_handles(word: str) -> None:
    assert not is_handle(word)


def test_a_word_capitalised_mid_sentence_and_no_english_word_is_a_name() -> None:
    texts = [
        "He pairs with Kofi on the billing migration.",
        "Kofi's runbooks are great.",
        "Reviews are slow when the Billing team is out.",
        "We will ship it, said Will.",
        "They use Kubernetes.",
    ]
    names = proper_names(texts)
    assert "kofi" in names
    assert "billing" not in names  # capitalised once, but a common word
    assert "reviews" not in names  # only ever seen opening a sentence
    assert "will" not in names  # lowercase as often as capitalised
    assert "kubernetes" in names  # the documented price: product names look like names


def test_a_given_name_that_is_also_a_word_counts_when_capitalised() -> None:
    assert "bob" in proper_names(["I asked Bob about it.", "Ask Bob, he knows."])
    assert "bob" not in proper_names(["The float will bob on the water."])


def test_labels_never_use_a_name_from_outside_the_org() -> None:
    labels = keyphrase_labels(
        [
            [
                "He pairs with Kofi on the billing migration every week.",
                "The billing migration moved faster once he and Kofi split it.",
                "Together with Kofi he planned the billing migration.",
            ],
            ["Reviews are thorough.", "Reviews catch bugs early.", "Reviews teach a lot."],
        ]
    )
    assert "kofi" not in labels[0] and "billing" in labels[0]
    assert "reviews" in labels[1]


def test_labels_never_use_an_excluded_variant_or_a_handle() -> None:
    (label,) = keyphrase_labels(
        [["R12 says seun ships fast.", "seun ships fast, per R12.", "R12: seun ships."]],
        exclude=name_variants("Oluwaseun Adeyemi", ""),
    )
    assert "seun" not in label and "r12" not in label and "ships" in label


def test_masking_covers_every_variant_email_and_handle() -> None:
    names = name_variants("Oluwaseun Adeyemi", "oluwaseun.adeyemi@northwind.example")
    masked = mask_names("Seun's PRs: ask seun, R3 or oluwaseun.adeyemi@northwind.example", names)
    assert masked == "[name]'s PRs: ask [name], [name] or [name]"


def test_masking_leaves_lowercase_grammar_words() -> None:
    names = name_variants("William Ward", "")
    assert "will" in names
    assert mask_names("Will says they will help.", names) == "[name] says they will help."


@pytest.mark.parametrize(
    ("gendered", "neutral"),
    [
        ("He is abrasive and his PRs are huge.", "They are abrasive and their PRs are huge."),
        ("She doesn't split her PRs.", "They don't split their PRs."),
        ("I told her that twice.", "I told them that twice."),
        ("He's quick; the idea was hers.", "They're quick; the idea was theirs."),
        ("He reviews it himself.", "They review it themselves."),
        ("She usually shares them afterwards.", "They usually share them afterwards."),
        ("She goes quiet when she is stuck.", "They go quiet when they are stuck."),
        ("The helper shelved the theme.", "The helper shelved the theme."),
    ],
)
def test_gendered_pronouns_become_they(gendered: str, neutral: str) -> None:
    assert neutral_pronouns(gendered) == neutral
