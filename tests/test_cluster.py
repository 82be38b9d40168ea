"""Theme clustering: determinism, degenerate inputs, unthemed misfits, real meaning, scale.

Pure tests: numpy arrays in, labels out; no database. The meaning tests use the real packaged
all-MiniLM-L6-v2 (loaded once per module).
"""

import importlib
import time
import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import silhouette_score, v_measure_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

import synth.themes.cluster as cluster_module
from synth.themes.cluster import (
    EXACT_LIMIT,
    UNTHEMED,
    Clustering,
    cluster_embeddings,
    default_min_theme_size,
)
from synth.themes.embedders import LocalEmbedder
from tests.embedders import minilm

DIM = 384
FloatRows = npt.NDArray[np.float64]


def blobs(
    sizes: Sequence[int], *, spread: float = 0.6, noise: int = 0, seed: int = 0
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Unit vectors around random directions (rows of blob i together), then `noise`
    uniformly random unit vectors labelled -1. Random directions in 384-d are nearly
    orthogonal; `spread` 0.6 puts members at cosine ~0.75 from each other."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(sizes), DIM))
    members = np.repeat(np.arange(len(sizes)), sizes)
    truth = np.concatenate([members, np.full(noise, -1)]).astype(np.int64)
    points = np.where(
        truth[:, None] >= 0, centres[np.maximum(truth, 0)], rng.standard_normal((len(truth), DIM))
    )
    jitter = rng.standard_normal((len(truth), DIM)) * spread / np.sqrt(DIM)
    points = points / np.linalg.norm(points, axis=1, keepdims=True) + (truth[:, None] >= 0) * jitter
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    return unit.astype(np.float32), truth


def assert_well_formed(result: Clustering, n: int, min_size: int | None = None) -> None:
    """Labels cover every row; ids are 0..k-1, sizes non-increasing; centroids are unit."""
    assert result.labels.shape == (n,)
    assert result.labels.dtype == np.int64
    themed = result.labels[result.labels != UNTHEMED]
    assert (result.labels >= UNTHEMED).all()
    assert sorted(set(themed.tolist())) == list(range(result.n_themes))
    assert result.sizes.tolist() == np.bincount(themed, minlength=result.n_themes).tolist()
    assert (np.diff(result.sizes) <= 0).all()
    if min_size is not None and result.n_themes:
        assert result.sizes.min() >= min_size
    assert result.centroids.shape == (result.n_themes, DIM)
    if result.n_themes:
        assert np.allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-5)
    assert result.cohesion.shape == (result.n_themes,)
    assert ((result.cohesion >= -1.0) & (result.cohesion <= 1.0 + 1e-6)).all()


@pytest.fixture(autouse=True)
def _numerical_warnings_are_errors() -> Iterator[None]:
    """A division by zero or an invalid value anywhere in clustering fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


@pytest.fixture(scope="module")
def model() -> LocalEmbedder:
    return minilm()


# --- degenerate inputs -----------------------------------------------------------------------


def test_no_rows() -> None:
    result = cluster_embeddings(np.zeros((0, DIM), dtype=np.float32))
    assert result.n_themes == 0
    assert result.labels.shape == (0,)
    assert_well_formed(result, 0)


def test_one_row_is_unthemed_unless_single_themes_are_allowed() -> None:
    row, _ = blobs([1])
    alone = cluster_embeddings(row)
    assert alone.labels.tolist() == [UNTHEMED]
    assert alone.n_themes == 0
    allowed = cluster_embeddings(row, min_theme_size=1)
    assert allowed.labels.tolist() == [0]
    assert_well_formed(allowed, 1)


def test_two_rows_form_a_theme_only_when_they_are_alike() -> None:
    alike, _ = blobs([2])
    assert cluster_embeddings(alike).labels.tolist() == [0, 0]
    unrelated, _ = blobs([1, 1])
    result = cluster_embeddings(unrelated)
    assert result.labels.tolist() == [UNTHEMED, UNTHEMED]
    assert_well_formed(result, 2)


def test_five_rows_in_two_groups() -> None:
    rows, truth = blobs([2, 3], seed=3)
    result = cluster_embeddings(rows)
    assert result.labels.tolist() == [1, 1, 0, 0, 0]  # the larger group is theme 0
    assert_well_formed(result, 5)


@pytest.mark.parametrize("count", [2, 7, 300, EXACT_LIMIT + 500])
def test_identical_rows_are_one_theme(count: int) -> None:
    row, _ = blobs([1], seed=5)
    result = cluster_embeddings(np.repeat(row, count, axis=0))
    assert result.n_themes == 1
    assert (result.labels == 0).all()
    assert result.cohesion[0] == pytest.approx(1.0, abs=1e-5)
    assert_well_formed(result, count)


def test_zero_rows_are_unthemed_and_bad_input_is_refused() -> None:
    rows, _ = blobs([4], seed=1)
    with_zeros = np.vstack([rows, np.zeros((2, DIM), dtype=np.float32)])
    assert cluster_embeddings(with_zeros).labels.tolist() == [0, 0, 0, 0, UNTHEMED, UNTHEMED]
    assert cluster_embeddings(np.zeros((3, DIM), dtype=np.float32)).n_themes == 0
    broken = rows.copy()
    broken[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cluster_embeddings(broken)
    with pytest.raises(ValueError, match="2-D"):
        cluster_embeddings(rows[0])
    with pytest.raises(ValueError, match="min_theme_size"):
        cluster_embeddings(rows, min_theme_size=0)


def test_unnormalised_input_is_treated_like_its_unit_rows() -> None:
    rows, _ = blobs([6, 5, 1], seed=2)
    scaled = rows * np.linspace(0.5, 3.0, len(rows), dtype=np.float32)[:, None]
    assert np.array_equal(cluster_embeddings(scaled).labels, cluster_embeddings(rows).labels)


# --- ids, sizes, determinism -----------------------------------------------------------------


def test_theme_ids_are_dense_and_ordered_by_size_then_first_row() -> None:
    rows, truth = blobs([5, 8, 5, 3], seed=4)
    result = cluster_embeddings(rows)
    assert_well_formed(result, len(rows))
    assert result.n_themes == 4
    # blob 1 (8 rows) first; the two 5-row blobs in order of their first row; then blob 3.
    expected = np.array([1, 0, 2, 3])[truth]
    assert result.labels.tolist() == expected.tolist()
    assert result.sizes.tolist() == [8, 5, 5, 3]
    assert result.members(3).tolist() == [18, 19, 20]
    with pytest.raises(IndexError):
        result.members(4)


def test_min_theme_size_is_honoured() -> None:
    rows, truth = blobs([12, 6, 3, 2], seed=6)
    for min_size in (2, 4, 7):
        result = cluster_embeddings(rows, min_theme_size=min_size)
        assert_well_formed(result, len(rows), min_size)
        kept = [size for size in (12, 6, 3, 2) if size >= min_size]
        assert result.sizes.tolist() == kept
    assert default_min_theme_size(30) == 2
    assert default_min_theme_size(cluster_module.MARGIN_FROM - 1) == 2
    assert default_min_theme_size(cluster_module.MARGIN_FROM) == cluster_module.LARGE_MIN_THEME
    assert default_min_theme_size(50_000) > default_min_theme_size(3_000) >= 3


@pytest.mark.parametrize("sizes", [[40, 25, 25, 10, 4, 3], [700] * 4 + [300] * 10])
def test_same_input_gives_identical_results(sizes: list[int]) -> None:
    """Twice in a row, with one BLAS thread, and after reloading the module: bit-identical.

    The second case is above EXACT_LIMIT, so it also covers the micro-cluster path."""
    rows, _ = blobs(sizes, spread=0.9, noise=30, seed=11)
    first = cluster_embeddings(rows, seed=3)
    second = cluster_embeddings(rows.copy(), seed=3)
    with threadpool_limits(limits=1):
        single_thread = cluster_embeddings(rows, seed=3)
    reloaded = importlib.reload(cluster_module).cluster_embeddings(rows, seed=3)
    for other in (second, single_thread, reloaded):
        assert np.array_equal(first.labels, other.labels)
        assert np.array_equal(first.centroids, other.centroids)
        assert np.array_equal(first.sizes, other.sizes)
    assert first.n_themes >= 2


# --- unthemed misfits ------------------------------------------------------------------------


def test_unrelated_vectors_stay_unthemed() -> None:
    rows, truth = blobs([1] * 40, seed=8)
    result = cluster_embeddings(rows)
    assert result.n_themes == 0
    mixed, truth = blobs([15, 10], noise=5, seed=9)
    result = cluster_embeddings(mixed)
    assert (result.labels[truth == -1] == UNTHEMED).all()
    assert (result.labels[truth >= 0] != UNTHEMED).all()
    assert v_measure_score(truth, result.labels) == pytest.approx(1.0)


FEEDBACK = {
    "code review": [
        "Her code reviews are thorough and catch subtle bugs before they ship.",
        "She leaves clear, constructive comments on pull requests.",
        "Reviewing my pull requests, she always explains the reasoning behind her suggestions.",
        "Her feedback in code review helped me write cleaner code.",
    ],
    "on-call": [
        "During on-call she handled the production outage calmly and restored service fast.",
        "She responds quickly to pages when she is on call.",
        "Her incident postmortems after outages are detailed and blameless.",
        "She improved our on-call runbooks so incidents get resolved faster.",
    ],
    "mentoring": [
        "She mentors the junior engineers and pairs with them patiently.",
        "New hires say her onboarding sessions made them productive in weeks.",
        "She takes time to coach less experienced teammates on design.",
        "Junior developers on the team often go to her for guidance and mentoring.",
    ],
}
OFF_TOPIC = "The weather in Lisbon was sunny all week."
UNRELATED = [
    OFF_TOPIC,
    "Bananas are rich in potassium.",
    "The Eiffel Tower was completed in 1889.",
    "My cat likes to sleep on the windowsill.",
    "Jazz originated in New Orleans.",
    "The stock market fell sharply on Monday.",
    "Photosynthesis converts light into chemical energy.",
    "He bought a new pair of running shoes.",
    "Mount Everest is the tallest mountain on Earth.",
    "The recipe calls for two cups of flour.",
]


def test_real_feedback_falls_into_its_three_themes(model: LocalEmbedder) -> None:
    texts = [text for group in FEEDBACK.values() for text in group]
    # The off-topic sentence sits in the middle, not conveniently at the end.
    texts.insert(6, OFF_TOPIC)
    intended = [name for name, group in FEEDBACK.items() for _ in group]
    intended.insert(6, "off-topic")
    result = cluster_embeddings(model.embed(texts))
    assert_well_formed(result, len(texts))
    assert result.n_themes == 3
    assert result.labels[6] == UNTHEMED
    themes: dict[str, set[int]] = {name: set() for name in FEEDBACK}
    for name, label in zip(intended, result.labels.tolist(), strict=True):
        if name != "off-topic":
            themes[name].add(label)
    assert all(len(labels) == 1 for labels in themes.values())
    assert {label for labels in themes.values() for label in labels} == {0, 1, 2}
    assert (result.cohesion > 0.3).all()


def test_real_unrelated_sentences_are_mostly_unthemed(model: LocalEmbedder) -> None:
    result = cluster_embeddings(model.embed(UNRELATED))
    assert (result.labels == UNTHEMED).mean() >= 0.8


def test_a_real_theme_among_unrelated_sentences(model: LocalEmbedder) -> None:
    texts = UNRELATED + FEEDBACK["on-call"]
    result = cluster_embeddings(model.embed(texts))
    assert result.n_themes == 1
    assert result.members(0).tolist() == list(range(len(UNRELATED), len(texts)))


# --- scale -----------------------------------------------------------------------------------


def test_fifty_thousand_rows_in_bounded_time_and_sane_themes() -> None:
    rng = np.random.default_rng(21)
    sizes = (rng.dirichlet(np.full(60, 2.0)) * 49_000).astype(int) + 10
    rows, truth = blobs(sizes.tolist(), spread=0.75, noise=50_000 - int(sizes.sum()), seed=21)
    assert len(rows) == 50_000
    started = time.perf_counter()
    result = cluster_embeddings(rows)
    elapsed = time.perf_counter() - started
    assert elapsed < 60.0
    assert_well_formed(result, len(rows), default_min_theme_size(len(rows)))
    noise = truth == -1
    assert (result.labels[noise] == UNTHEMED).mean() > 0.95
    assert (result.labels[~noise] != UNTHEMED).mean() > 0.99
    assert 55 <= result.n_themes <= 75
    assert v_measure_score(truth, result.labels) > 0.95


def test_from_the_margin_size_broad_themes_are_found_without_thresholds() -> None:
    """Four broad topics (members ~0.3 alike: far below any fixed merge threshold, above the
    floor of related statements): the widest-margin cut finds exactly four."""
    rows, truth = blobs([150, 150, 150, 150], spread=1.5, noise=20, seed=31)
    assert len(rows) >= cluster_module.MARGIN_FROM
    result = cluster_embeddings(rows)
    assert_well_formed(result, len(rows))
    assert result.n_themes == 4
    themed = truth >= 0
    assert v_measure_score(truth[themed], result.labels[themed]) == pytest.approx(1.0)
    assert (result.labels[~themed] == UNTHEMED).mean() >= 0.9


def paraphrase_pairs(
    topics: int, pairs: int, *, seed: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """`topics` broad topics of `pairs` pairs of near-paraphrases each: the two rows of a pair
    ~0.9 alike, rows of different pairs of a topic ~0.35, of different topics ~0."""
    rng = np.random.default_rng(seed)

    def around(centres: npt.NDArray[np.float64], spread: float, copies: int) -> FloatRows:
        points = np.repeat(centres, copies, axis=0)
        points = points + rng.standard_normal(points.shape) * spread / np.sqrt(DIM)
        unit: FloatRows = points / np.linalg.norm(points, axis=1, keepdims=True)
        return unit

    centres = rng.standard_normal((topics, DIM))
    rows = around(
        around(centres / np.linalg.norm(centres, axis=1, keepdims=True), 1.36, pairs), 0.33, 2
    )
    return rows.astype(np.float32), np.repeat(np.arange(topics), 2 * pairs).astype(np.int64)


@pytest.mark.parametrize("seed", [0, 1])
def test_from_the_margin_size_pairs_of_paraphrases_do_not_make_the_themes(seed: int) -> None:
    """25 topics of 12 near-paraphrase pairs: scored as themes, the 300 pairs have the wider
    margin (0.9 - 0.35 against 0.35 - 0). A theme of an organisation has three statements,
    and the cut is scored as it will be themed (pairs count 0): the 25 topics. A caller who
    asks for themes of two gets the pairs."""
    rows, truth = paraphrase_pairs(25, 12, seed=seed)
    assert len(rows) >= cluster_module.MARGIN_FROM
    result = cluster_embeddings(rows)
    assert_well_formed(result, len(rows), cluster_module.LARGE_MIN_THEME)
    assert result.n_themes == 25
    assert v_measure_score(truth, result.labels) == pytest.approx(1.0)
    assert cluster_embeddings(rows, min_theme_size=2).n_themes == 300


def test_rows_of_groups_that_will_be_no_theme_cannot_widen_the_margin() -> None:
    """A row in a group below the theme size or below the floor counts its margin when
    negative, else 0; a lone row 0; the rest their margin (brute force, every definition)."""
    sizes = [6, 5, 3, 2, 1, 4]
    related, _ = blobs(sizes[:-1], spread=1.0, seed=34)
    loose, _ = blobs([4], spread=2.0, seed=36)  # members ~0.2 alike: below the floor
    rows = np.vstack([related, loose])
    groups = np.repeat(np.arange(len(sizes)), sizes).astype(np.int64)
    exact = rows.astype(np.float64)
    similarity = exact @ exact.T
    every = np.arange(len(rows))
    seen = set()
    for min_size, floor in [(2, -np.inf), (3, -np.inf), (4, -np.inf), (2, 0.25), (3, 0.25)]:
        margins = []
        for i in every:
            mine = groups == groups[i]
            if mine.sum() == 1:
                margins.append(0.0)
                continue
            own = (similarity[i, mine].sum() - similarity[i, i]) / (mine.sum() - 1)
            nearest = max(similarity[i, groups == g].mean() for g in set(groups) - {groups[i]})
            block = similarity[np.ix_(mine, mine)]
            cohesion = (block.sum() - mine.sum()) / (mine.sum() * (mine.sum() - 1))
            assert (cohesion < 0.25) == (groups[i] == len(sizes) - 1)
            themed = mine.sum() >= min_size and cohesion >= floor
            margins.append(own - nearest if themed else min(own - nearest, 0.0))
        ours = cluster_module._margin(rows, groups, exact, every, min_size, floor)
        assert ours == pytest.approx(float(np.mean(margins)), abs=1e-8)
        scorer = cluster_module._themed_margin(min_size, floor)
        assert scorer(rows, groups, exact, every) == ours
        seen.add(round(ours, 6))
    assert len(seen) == 5  # each rule scores differently here
    assert cluster_module._margin(rows, groups, exact, every) == cluster_module._margin(
        rows, groups, exact, every, 2, -np.inf
    )


def test_the_search_refines_around_several_of_the_best_grid_levels() -> None:
    """A narrow peak between grid levels, beside the 2nd and 3rd best grid levels, is found
    from `REFINED_LEVELS` = 3 and missed when only the best grid level is refined."""
    rows, _ = blobs([1] * 600, seed=35)
    grid = cluster_module._levels(2, 300)
    hill, (left, right) = grid[10], grid[25:27]
    peak = (left + right) // 2
    assert peak not in grid and right - left >= 2

    def score(
        rows: npt.NDArray[np.float32],
        groups: npt.NDArray[np.int64],
        sample: FloatRows,
        scored: npt.NDArray[np.int64],
    ) -> float:
        levels = int(groups.max()) + 1
        return {hill: 0.5, left: 0.45, right: 0.44, peak: 0.9}.get(levels, 0.1)

    def levels(refine: int) -> int:
        return int(cluster_module._best_cut(rows, 0, score, 300, refine=refine).max()) + 1

    assert cluster_module.REFINED_LEVELS == 3
    assert levels(3) == peak
    assert levels(1) == hill


def test_below_the_margin_size_the_same_topics_are_not_lumped() -> None:
    rows, truth = blobs([40, 40, 40], spread=0.6, seed=32)
    assert len(rows) < cluster_module.MARGIN_FROM
    assert cluster_embeddings(rows).n_themes == 3


def test_below_the_margin_size_broad_themes_are_found_without_thresholds() -> None:
    """The same broad topics (members ~0.3 alike, below any fixed merge threshold) in one
    person's period: the highest-silhouette cut finds them all."""
    rows, truth = blobs([8, 6, 5, 4], spread=1.5, seed=33)
    assert len(rows) < cluster_module.MARGIN_FROM
    result = cluster_embeddings(rows)
    assert_well_formed(result, len(rows))
    assert result.n_themes == 4
    assert v_measure_score(truth, result.labels) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_silhouette_is_sklearns_on_cosine_distance(seed: int) -> None:
    rows, _ = blobs([9, 7, 5, 1], spread=1.0, seed=seed)
    groups = np.random.default_rng(seed).integers(0, 5, len(rows)).astype(np.int64)
    groups = np.unique(groups, return_inverse=True)[1].astype(np.int64)
    every = np.arange(len(rows))
    ours = cluster_module._silhouette(rows, groups, rows[every].astype(np.float64), every)
    assert ours == pytest.approx(silhouette_score(rows, groups, metric="cosine"), abs=1e-6)


PERIOD = [  # one engineer's peer feedback; three remarks about the person, not the work
    "Fatima Zahra handed me ownership of the form components in August and stayed available as "
    "a reviewer rather than the decision-maker; I have since shipped the new date picker and "
    "the address autocomplete on my own.",
    "Her migration plan split the 14 checkout and account pages into weekly slices, and we "
    "finished on 18 November without a single rollback.",
    "She should have been promoted to principal last year and deserves a proper raise.",
    "She built the token pipeline that keeps Figma and the React components in sync, so "
    "designers stopped filing colour-mismatch bugs, which used to be about 20 a month.",
    "For a mum of three she is surprisingly on top of everything.",
    "My team adopted her frontend guidelines in September, and the section on data fetching "
    "alone removed the request waterfalls that made our search page slow.",
    "In the LCP work she sometimes fixed our pages herself instead of explaining what was "
    "wrong, so when the product-listing page regressed in December nobody on my team knew why.",
    "Fatima Zahra's code reviews are detailed and kind; she links to the guideline section "
    "instead of just saying something is wrong.",
    "Sometimes a review comes back with 30 comments on a 50-line change, and it is hard to "
    "tell which ones block the merge.",
    "She is a joy to work with and always delivers.",
    "Checkout and account pages are fully on the design system, ahead of the November date.",
    "LCP is under 2.5s on 17 of the top-20 pages; the three remaining are product-listing pages.",
    "Two of the three product web teams have adopted the guidelines, and the Marketplace team "
    "has not started.",
]


def test_a_few_distinct_remarks_do_not_lump_the_rest(model: LocalEmbedder) -> None:
    """The best single cut splits the three remarks about the person from the ten about the
    work; the work is then cut again rather than left as one unrelated lump."""
    rows = model.embed(PERIOD)
    single = cluster_module._best_cut(rows, 0, cluster_module._silhouette, len(rows) - 1)
    assert np.bincount(single).tolist() in ([3, 10], [10, 3])
    result = cluster_embeddings(rows)
    assert_well_formed(result, len(rows), min_size=2)
    assert result.n_themes >= 4
    guidelines = [PERIOD.index(t) for t in PERIOD if "adopted" in t]
    assert len({int(result.labels[i]) for i in guidelines}) == 1
