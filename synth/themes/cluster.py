"""Theme clustering: group statement embeddings into themes, leaving misfits unthemed.

The number of themes is never given.

1. Each statement is nudged towards its closest near-paraphrases (up to 3 neighbours with
   similarity >= 0.5): one step of kNN smoothing that makes the tree below less noisy.
2. A Ward tree is built over the statements (n <= `EXACT_LIMIT`) or, for larger inputs, over
   up to `MICRO_CLUSTERS` spherical k-means micro-clusters, so memory stays O(n).
3. From `MARGIN_FROM` statements (an organisation's period, a file) the data picks the cut: the
   tree is cut at the level (number of groups) with the widest **similarity margin**, the mean
   over statements of how much more similar a statement is to the rest of its own group than to
   the nearest other group (a silhouette in similarity terms). A cut is scored as it will be
   themed: a statement whose group will not be a theme (smaller than `min_theme_size`, at least
   `LARGE_MIN_THEME` here, or less related than the floor) cannot raise the score (it counts its
   margin if negative, else 0; a lone statement 0), so pairs, each scored by the one similarity
   it was paired on, cannot outscore the topics they belong to. Too coarse a cut lumps distinct
   topics; too fine a cut splits one (the nearest other group is then as close as the own).
   Levels are searched on a geometric grid, then refined around the `REFINED_LEVELS` best (the
   curve is jagged: a peak can fall between grid levels); no margin above zero leaves everything
   one group. A group is a theme when its statements are related at all (mean pairwise
   similarity >= `THEME_FLOOR`, a property of the embedding model), and statements join or leave
   themes against the same floor.
4. Below `MARGIN_FROM` (one person's period, where groups of two or three statements make the
   margin unreliable) the tree is cut at the level with the highest mean **silhouette** (cosine
   distance, a lone statement counting 0), no cut above zero leaving everything one group.
   Groups of unrelated statements (below `THEME_FLOOR`) and groups smaller than
   `min_theme_size` are unthemed; such a statement then joins the nearest theme whose centre is
   at least `JOIN_SMALL` similar.
5. From `MARGIN_FROM` rows, groups smaller than `min_theme_size` are unthemed; twice, a themed
   statement far from its theme's centre leaves it and an unthemed one close to a theme's
   centre joins it.

Deterministic: the same rows in the same order give identical labels on every run, with any
number of threads. Every similarity that decides something is computed in float64 and rounded
(float32 products are only trusted where the runner-up is clearly behind), so CPU-specific BLAS
rounding cannot flip a decision; ties go to the lower row index or the coarser cut; the only
random choices (micro-cluster starting rows, and which rows score a cut above `SCORE_ROWS`) use
`seed`. Theme ids are 0..n_themes-1 by size, largest first, ties broken by each theme's first
row. Measured on public intent and review-aspect sets: `python -m evals.bench_clustering_public`.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

UNTHEMED = -1
EXACT_LIMIT = 4_000
"""Up to this many (non-zero) rows the tree is built over the statements themselves: the exact
path holds a few n x n float32 arrays, about 0.25 GB at this size."""
MICRO_CLUSTERS = 2_000
"""Above `EXACT_LIMIT`, the tree is built over this many k-means micro-clusters."""
MICRO_ITERATIONS = 6
BLOCK_ROWS = 8_192
"""Rows per block when comparing statements with themes (bounds memory at large n)."""
ROUND_DECIMALS = 9
"""float64 similarities are rounded here before they break ties (absorbs BLAS rounding)."""
NEAR_TIE = 1e-4
"""float32 similarities closer than this are re-decided in float64."""
THEME_FLOOR = 0.25
"""Mean cosine similarity below which all-MiniLM-L6-v2 statements are unrelated (sentences on
different subjects sit at 0.0-0.2). Another embedder needs its own floor."""
SMOOTH_NEIGHBOURS = 3
SMOOTH_SIMILARITY = 0.5
CUT_CANDIDATES = 40
"""Cut levels tried on the geometric grid (and at most as many again per refined level)."""
REFINED_LEVELS = 3
"""From `MARGIN_FROM` rows, every level between the neighbours of this many best grid levels
is tried too: refining around the best one alone missed the widest margin on jagged curves
(2,472 tweets: 29 themes at 0.1889 where 46 score 0.1895; half of BANKING77's intents: 8
where 21 score higher). Below it one, as the recursive silhouette was measured with."""
SCORE_ROWS = 2_000
"""Above this many rows a cut's margin is scored on a seeded sample of them."""
MARGIN_FROM = 500
"""From this many statements (an organisation's period, a file) the tree is cut at the widest
similarity margin; below it (one person's period) at the highest silhouette. The margin is
estimated from groups of two or three statements on small inputs and falls for the coarsest
split; the silhouette, which scores a lone statement 0, overclusters large ones (CLINC150: 427
themes for 150 intents, ARI 0.54 against the margin's 0.68). Measured with
`python -m evals.bench_clustering_public`."""
LARGE_MIN_THEME = 3
"""From `MARGIN_FROM` statements a theme has at least this many by default: an organisation's
theme, as the service's organisation view asks (the anonymity threshold, 3 by default). Two
statements out of hundreds are a coincidence: a pair is scored by the one similarity it was
paired on, and scored as themes pairs let the margin prefer a cut into tiny groups (HWU64: 200
themes for 64 intents, ARI 0.41; scored with 3, 46 themes, ARI 0.50). Measured with
`python -m evals.bench_clustering_public`."""
JOIN_SMALL = 0.4
"""Below `MARGIN_FROM`, a statement left alone joins the nearest theme whose centre is at
least this similar: all-MiniLM-L6-v2's level for two sentences on the same subject."""


FloatArray = npt.NDArray[np.float64]
Rows = npt.NDArray[np.floating]
"""Statement vectors, float32 as given or float64 where exact sums are taken."""
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Clustering:
    """Themes over the input rows: `labels[i]` is row i's theme id, or -1 when unthemed."""

    labels: IntArray
    n_themes: int
    centroids: npt.NDArray[np.float32] = field(repr=False)
    """(n_themes, dim) unit vectors: the normalised mean of each theme's rows."""
    sizes: IntArray
    """Rows per theme, non-increasing."""
    cohesion: npt.NDArray[np.float32]
    """Mean pairwise cosine similarity inside each theme (1.0 for identical rows)."""

    @property
    def unthemed(self) -> IntArray:
        """Row indices that fit no theme."""
        return np.flatnonzero(self.labels == UNTHEMED).astype(np.int64)

    def members(self, theme: int) -> IntArray:
        """Row indices of one theme, in input order."""
        if not 0 <= theme < self.n_themes:
            raise IndexError(f"theme {theme} not in 0..{self.n_themes - 1}")
        return np.flatnonzero(self.labels == theme).astype(np.int64)


def default_min_theme_size(n: int) -> int:
    """2 for one engineer's feedback, `LARGE_MIN_THEME` from `MARGIN_FROM` statements, growing
    slowly (sqrt) for large organisation-wide runs."""
    return max(2 if n < MARGIN_FROM else LARGE_MIN_THEME, round(math.sqrt(n) / 20))


def cluster_embeddings(
    embeddings: npt.NDArray[np.float32],
    *,
    min_theme_size: int | None = None,
    seed: int = 0,
    floor: float = THEME_FLOOR,
) -> Clustering:
    """Cluster statement embeddings (rows, ideally L2-normalised) into themes.

    `min_theme_size` defaults to `default_min_theme_size(n)` (2 below `MARGIN_FROM` rows, then
    3 up to about 5,000), so a lone statement is unthemed unless 1 is asked for; from
    `MARGIN_FROM` rows it also shapes the cut (smaller groups score as unthemed). Rows are
    normalised again defensively; all-zero rows are always unthemed. `seed` only matters above
    `SCORE_ROWS` rows. `floor` suits all-MiniLM-L6-v2 (see `THEME_FLOOR`); another embedder
    needs its own, checked with `python -m evals.bench_clustering_public`.
    """
    data = np.asarray(embeddings)
    if data.ndim != 2:
        raise ValueError(f"embeddings must be a 2-D array, not {data.ndim}-D")
    if not np.isfinite(data).all():
        raise ValueError("embeddings contain NaN or infinite values")
    n, dim = data.shape
    min_size = default_min_theme_size(n) if min_theme_size is None else min_theme_size
    if min_size < 1:
        raise ValueError(f"min_theme_size must be >= 1, not {min_size}")

    unit = _normalised(data).astype(np.float32)
    usable = np.flatnonzero(np.abs(unit).sum(axis=1) > 0)
    labels = np.full(n, UNTHEMED, dtype=np.int64)
    if len(usable):
        rows = unit[usable]
        small = len(rows) < MARGIN_FROM
        if small:
            groups = _silhouette_cut(rows, min_size, seed, floor)
        else:
            groups = _best_cut(
                rows,
                seed,
                _themed_margin(min_size, floor),
                len(rows) // min_size,
                refine=REFINED_LEVELS,
            )
        groups = _drop_loose(rows, groups, floor)
        join, leave = (JOIN_SMALL, -math.inf) if small else (floor, floor)
        labels[usable] = _tidy(rows, groups, min_size, join=join, leave=leave)
    return _result(unit, labels)


# --- the tree, and the level it is cut at ---------------------------------------------------


Score = Callable[[Rows, IntArray, FloatArray, IntArray], float]


def _best_cut(
    rows: npt.NDArray[np.float32], seed: int, score: Score, most: int, *, refine: int = 1
) -> IntArray:
    """A group id per row: the level of the Ward tree (up to `most` groups) that `score`
    (`_margin` or `_silhouette`) rates highest; ties go to fewer groups. Levels are tried on a
    geometric grid, then every level between the neighbours of the `refine` best."""
    n = len(rows)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    exact = rows.astype(np.float64)  # once: every level's group sums are taken from it
    if n <= EXACT_LIMIT:
        leaf_of = np.arange(n, dtype=np.int64)
        points = _smoothed(exact, SMOOTH_NEIGHBOURS, SMOOTH_SIMILARITY)
    else:
        leaf_of = _micro_clusters(rows, MICRO_CLUSTERS, seed)
        points = _normalised(_group_sums(exact, leaf_of, int(leaf_of.max()) + 1))
    leaves = len(points)
    if leaves == 1:  # every row identical
        return np.zeros(n, dtype=np.int64)
    tree = linkage(_condensed_distances(points), method="ward")
    scored = (
        np.arange(n)
        if n <= SCORE_ROWS
        else np.sort(np.random.default_rng(seed).choice(n, size=SCORE_ROWS, replace=False))
    )
    sample = exact[scored]
    cache: dict[int, tuple[float, IntArray]] = {}

    def cut(k: int) -> tuple[float, IntArray]:
        if k not in cache:
            groups = (fcluster(tree, k, criterion="maxclust").astype(np.int64) - 1)[leaf_of]
            cache[k] = (score(exact, groups, sample, scored), groups)
        return cache[k]

    most = max(2, min(leaves, most))
    grid = _levels(2, most)
    for top in sorted(grid, key=lambda k: (cut(k)[0], -k), reverse=True)[:refine]:
        at = grid.index(top)
        for level in _levels(grid[max(at - 1, 0)], grid[min(at + 1, len(grid) - 1)]):
            cut(level)
    best = max(cache, key=lambda k: (cut(k)[0], -k))
    margin, groups = cut(best)
    if margin <= 0:  # no level separates anything: one group, judged by the floor
        return np.zeros(n, dtype=np.int64)
    return groups


def _silhouette_cut(
    rows: npt.NDArray[np.float32], min_size: int, seed: int, floor: float
) -> IntArray:
    """A group id per row: the level with the highest silhouette; then each group is cut again,
    on its own rows, while its best cut is at least as clear (mean silhouette) as the cut that
    made it, or while the group is no theme at all (its statements less related than `floor`).
    One cut's silhouette favours splitting off the few most distinct statements (remarks about
    the person among remarks about the work) and leaving the rest lumped together; the
    recursion finds the themes inside the lump."""
    groups = np.zeros(len(rows), dtype=np.int64)
    count = 1
    stack: list[tuple[IntArray, float]] = [(np.arange(len(rows), dtype=np.int64), -math.inf)]
    while stack:
        members, bar = stack.pop()
        if len(members) < 2 * max(min_size, 2):
            continue
        part = rows[members]
        cut = _best_cut(part, seed, _silhouette, len(members) - 1)
        if cut.max() == 0:
            continue
        exact = part.astype(np.float64)
        clarity = _silhouette(part, cut, exact, np.arange(len(members)))
        if clarity < bar and _cohesion(exact.sum(axis=0), len(part)) >= floor:
            continue
        for group in range(1, int(cut.max()) + 1):
            groups[members[cut == group]] = count
            count += 1
        stack.extend((members[cut == group], clarity) for group in range(int(cut.max()) + 1))
    return groups


def _levels(low: int, high: int) -> list[int]:
    """Every level from `low` to `high` when few, else `CUT_CANDIDATES` on a geometric grid."""
    if high - low + 1 <= CUT_CANDIDATES:
        return list(range(low, high + 1))
    grid = np.geomspace(low, high, CUT_CANDIDATES)
    return sorted({int(round(k)) for k in grid} | {low, high})


def _margin(
    rows: Rows,
    groups: IntArray,
    sample: FloatArray,
    scored: IntArray,
    min_size: int = 2,
    floor: float = -math.inf,
) -> float:
    """Mean over the `scored` rows of (mean similarity to the rest of their own group) minus
    (mean similarity to the nearest other group); a row alone in its group counts 0, a row
    whose group will be no theme (fewer than `min_size` rows, or cohesion below `floor`) at
    most 0: it cannot widen the margin, but a misfit still narrows it."""
    if int(groups.max()) < 1:
        return -math.inf
    own, nearest, size, cohesion = _own_and_nearest(rows, groups, sample, scored)
    margins = own - nearest
    unthemed = (size < max(min_size, 2)) | (cohesion < floor)
    margins = np.where(size <= 1, 0.0, np.where(unthemed, np.minimum(margins, 0.0), margins))
    return round(float(margins.mean()), ROUND_DECIMALS)


def _themed_margin(min_size: int, floor: float) -> Score:
    """`_margin` scoring the rows of groups that will be no theme as unthemed."""

    def score(rows: Rows, groups: IntArray, sample: FloatArray, scored: IntArray) -> float:
        return _margin(rows, groups, sample, scored, min_size, floor)

    return score


def _silhouette(rows: Rows, groups: IntArray, sample: FloatArray, scored: IntArray) -> float:
    """Mean cosine-distance silhouette over the `scored` rows (see `_silhouettes`)."""
    if int(groups.max()) < 1:
        return -math.inf
    return round(float(_silhouettes(rows, groups, sample, scored).mean()), ROUND_DECIMALS)


def _silhouettes(rows: Rows, groups: IntArray, sample: FloatArray, scored: IntArray) -> FloatArray:
    """Each `scored` row's silhouette, (b - a) / max(a, b) in cosine distance: a the mean
    distance to the rest of its group, b to the nearest other group; a row alone counts 0."""
    own, nearest, size, _ = _own_and_nearest(rows, groups, sample, scored)
    inside, outside = 1.0 - own, 1.0 - nearest
    widest = np.maximum(np.maximum(inside, outside), 1e-12)
    values: FloatArray = np.where(size <= 1, 0.0, (outside - inside) / widest)
    return values


def _own_and_nearest(
    rows: Rows, groups: IntArray, sample: FloatArray, scored: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """For each `scored` row (its vector in `sample`): the mean similarity to the rest of its
    own group, the mean similarity to the nearest other group, its own group's size and
    cohesion (mean pairwise similarity, 1.0 alone; see `_cohesion`)."""
    count = int(groups.max()) + 1
    sums = _group_sums(rows, groups, count)
    sizes = np.bincount(groups, minlength=count).astype(np.float64)
    pairs = np.maximum(sizes * (sizes - 1.0), 1.0)
    cohesion = np.where(
        sizes < 2, 1.0, np.minimum(1.0, (np.einsum("ij,ij->i", sums, sums) - sizes) / pairs)
    )
    mine = groups[scored]
    every = np.arange(len(scored))
    totals = sample @ sums.T
    own = (totals[every, mine] - 1.0) / np.maximum(sizes[mine] - 1.0, 1.0)
    means = totals / sizes
    means[every, mine] = -np.inf
    return own, means.max(axis=1), sizes[mine], cohesion[mine]


def _micro_clusters(rows: npt.NDArray[np.float32], count: int, seed: int) -> IntArray:
    """Spherical k-means into at most `count` micro-clusters, started from distinct rows."""
    first, inverse = _distinct_rows(rows)
    if len(first) <= count:
        return inverse  # few distinct statements: identical rows are the micro-clusters
    rng = np.random.default_rng(seed)
    starts = np.sort(rng.choice(first, size=count, replace=False))
    centroids = rows[starts].astype(np.float32)
    assigned = np.full(len(rows), -1, dtype=np.int64)
    for _ in range(MICRO_ITERATIONS):
        nearest = _nearest_centroid(rows, centroids)[0]
        if np.array_equal(nearest, assigned):
            break
        assigned = nearest
        sums = _group_sums(rows, assigned, count)
        filled = np.abs(sums).sum(axis=1) > 0
        centroids[filled] = _normalised(sums[filled]).astype(np.float32)
    used = np.unique(assigned)
    dense = np.full(count, -1, dtype=np.int64)
    dense[used] = np.arange(len(used))
    return dense[assigned]


def _distinct_rows(rows: npt.NDArray[np.float32]) -> tuple[IntArray, IntArray]:
    """First row index of each distinct row, and each row's distinct-row number."""
    seen: dict[bytes, int] = {}
    inverse = np.empty(len(rows), dtype=np.int64)
    first: list[int] = []
    for index, row in enumerate(rows):
        key = row.tobytes()
        number = seen.get(key)
        if number is None:
            number = seen[key] = len(first)
            first.append(index)
        inverse[index] = number
    return np.asarray(first, dtype=np.int64), inverse


# --- finishing: small groups, stragglers, ids ------------------------------------------------


def _tidy(
    rows: npt.NDArray[np.float32], groups: IntArray, min_size: int, *, join: float, leave: float
) -> IntArray:
    """Drop small groups; then twice, members less similar than `leave` to their theme's centre
    leave it and unthemed rows at least `join` from a theme's centre join it (the nearest)."""
    labels = _drop_small(groups, min_size)
    for _ in range(2):
        themed = labels >= 0
        themes = np.unique(labels[themed])
        if not len(themes):
            break
        centroids = _normalised(_group_sums(rows, labels, int(themes.max()) + 1)[themes])
        best, fit = _nearest_centroid(rows, centroids.astype(np.float32))
        own = np.full(len(rows), np.inf)
        own[themed] = _row_similarity(
            rows[themed], centroids[np.searchsorted(themes, labels[themed])]
        )
        joins = ~themed & (np.round(fit, ROUND_DECIMALS) >= join)
        labels = np.where(own < leave, UNTHEMED, np.where(joins, themes[best], labels))
        labels = _drop_small(labels, min_size)
    return labels


def _drop_loose(rows: npt.NDArray[np.float32], labels: IntArray, floor: float) -> IntArray:
    """Groups whose statements are not related at all (cohesion below the floor) unthemed."""
    themed = labels >= 0
    if not themed.any():
        return labels
    count = int(labels[themed].max()) + 1
    sums = _group_sums(rows, labels, count)
    sizes = np.bincount(labels[themed], minlength=count).astype(np.float64)
    loose = np.array([sizes[g] > 0 and _cohesion(sums[g], sizes[g]) < floor for g in range(count)])
    return np.where(themed & loose[np.maximum(labels, 0)], UNTHEMED, labels)


def _drop_small(labels: IntArray, min_size: int) -> IntArray:
    themed = labels >= 0
    if not themed.any():
        return labels
    counts = np.bincount(labels[themed])
    keep = np.zeros(len(labels), dtype=bool)
    keep[themed] = counts[labels[themed]] >= min_size
    return np.where(keep, labels, UNTHEMED)


def _result(unit: npt.NDArray[np.float32], labels: IntArray) -> Clustering:
    """Renumber themes by size (desc) then first row, and describe each."""
    n, dim = unit.shape
    themed = np.flatnonzero(labels >= 0)
    themes, first, counts = np.unique(labels[themed], return_index=True, return_counts=True)
    order = np.lexsort((themed[first], -counts))
    new_id = np.full(int(themes.max()) + 1 if len(themes) else 0, UNTHEMED, dtype=np.int64)
    new_id[themes[order]] = np.arange(len(themes))
    final = np.full(n, UNTHEMED, dtype=np.int64)
    final[themed] = new_id[labels[themed]]
    sums = _group_sums(unit, final, len(themes))
    sizes = counts[order].astype(np.int64)
    cohesion = np.array(
        [_cohesion(sums[theme], float(sizes[theme])) for theme in range(len(themes))],
        dtype=np.float32,
    )
    centroids = _normalised(sums).astype(np.float32).reshape(len(themes), dim)
    return Clustering(
        labels=final, n_themes=len(themes), centroids=centroids, sizes=sizes, cohesion=cohesion
    )


# --- small numeric helpers -------------------------------------------------------------------


def _normalised(vectors: npt.NDArray[np.floating]) -> FloatArray:
    array = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    unit: FloatArray = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return unit


def _cohesion(vector_sum: FloatArray, size: float) -> float:
    """Mean pairwise cosine similarity of `size` unit vectors summing to `vector_sum`."""
    if size < 2:
        return 1.0
    return min(1.0, (float(vector_sum @ vector_sum) - size) / (size * (size - 1)))


def _group_sums(rows: Rows, labels: IntArray, count: int) -> FloatArray:
    """Per-group vector sums (rows with label -1 are skipped), in a fixed summation order."""
    keep = labels >= 0
    members = csr_matrix(
        (np.ones(int(keep.sum())), (labels[keep], np.flatnonzero(keep))),
        shape=(count, len(rows)),
    )
    sums: FloatArray = np.asarray(members @ np.asarray(rows, dtype=np.float64))
    return sums


def _nearest_centroid(
    rows: npt.NDArray[np.float32], centroids: npt.NDArray[np.float32]
) -> tuple[IntArray, FloatArray]:
    """Most similar centroid per row and that similarity, blockwise to bound memory.

    float32 products pick the winner; rows whose best two are within `NEAR_TIE` are decided
    again in float64, rounded, lowest index first, so CPU-specific float32 rounding never
    flips an assignment.
    """
    best = np.empty(len(rows), dtype=np.int64)
    similarity = np.empty(len(rows))
    exact_centroids = centroids.astype(np.float64)
    for start in range(0, len(rows), BLOCK_ROWS):
        block = rows[start : start + BLOCK_ROWS] @ centroids.T
        winner = np.argmax(block, axis=1)
        every = np.arange(len(block))
        top = block[every, winner].astype(np.float64)
        if block.shape[1] > 1:
            block[every, winner] = -np.inf
            close = np.flatnonzero(top - block.max(axis=1) < NEAR_TIE)
            if len(close):
                exact = rows[start + close].astype(np.float64) @ exact_centroids.T
                exact = np.round(exact, ROUND_DECIMALS)
                winner[close] = np.argmax(exact, axis=1)
                top[close] = exact[np.arange(len(close)), winner[close]]
        best[start : start + len(block)] = winner
        similarity[start : start + len(block)] = top
    return best, similarity


def _row_similarity(rows: npt.NDArray[np.floating], vectors: FloatArray) -> FloatArray:
    """Cosine similarity of each row with the matching unit vector, in float64, rounded."""
    dots = np.einsum("ij,ij->i", rows, vectors, dtype=np.float64)
    rounded: FloatArray = np.round(dots, ROUND_DECIMALS)
    return rounded


def _similarities(points: FloatArray) -> npt.NDArray[np.float32]:
    """All pairwise cosine similarities of unit rows, computed in float64 and kept in float32.

    The float32 rounding absorbs the last-bit differences that BLAS kernels can produce on
    different CPUs, and halves the memory of the largest array the exact path holds.
    """
    similarity: npt.NDArray[np.float32] = (points @ points.T).astype(np.float32)
    return similarity


def _smoothed(exact: FloatArray, neighbours: int, min_similarity: float) -> FloatArray:
    """Each row plus its `neighbours` most similar rows at >= `min_similarity`, renormalised.

    Neighbours are taken one argmax at a time, so ties go to the lower row index and the
    neighbour sets depend on the similarity values only.
    """
    count = min(neighbours, len(exact) - 1)
    if count < 1:
        return exact
    similarity = _similarities(exact)
    np.fill_diagonal(similarity, -np.inf)
    every = np.arange(len(exact))
    picked_rows: list[IntArray] = []
    picked_cols: list[IntArray] = []
    for _ in range(count):
        nearest = np.argmax(similarity, axis=1)
        close = similarity[every, nearest] >= min_similarity
        picked_rows.append(every[close])
        picked_cols.append(nearest[close])
        similarity[every, nearest] = -np.inf
    rows = np.concatenate(picked_rows)
    cols = np.concatenate(picked_cols)
    weights = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=similarity.shape)
    blended: FloatArray = exact + np.asarray(weights @ exact)
    return _normalised(blended)


def _condensed_distances(points: FloatArray) -> FloatArray:
    """Euclidean distances between unit rows, as scipy's condensed vector."""
    squared = 2.0 - 2.0 * _similarities(points)
    np.fill_diagonal(squared, 0.0)
    np.clip(squared, 0.0, None, out=squared)
    distances: FloatArray = np.sqrt(squareform(squared, checks=False).astype(np.float64))
    return distances
