"""Statement and theme polarity: the original cue-word count against the current rules.

Data: evals/data/polarity.jsonl, hand-labelled statements (strength / growth_area / neutral):
every statement `split_statements` cuts from synth/demo/data/feedback.jsonl, then hand-written
hard cases (negation, hedges, praise with "but", neutral context). A score above 0 reads as
strength, below 0 as growth area, exactly 0 as neutral (the same signs `theme_polarity` counts).

The rows are split once, with a fixed seed, into a tuning part (70%) and a held-out part
(30%); the split was made before the rules were written, and they were tuned by reading the
tuning part's errors only (`--errors tune`); held-out errors were read only after freezing.
Theme level: seeded draws of 3-10 statements from one part at a time, mixed in random
proportions; the truth is "strength when labelled strengths are at least twice the growth
areas, growth area when the reverse, else mixed", applied to the hand labels.

`--meaning` also scores `combined_polarity` (cues and the fitted MiniLM direction) on the
labelled parts, strengths against growth areas. `--public FILE` scores it on sentences we
never tuned on: SemEval-2016 ABSA review sentences (XML with `<Opinion polarity=...>`) whose
opinions all agree, positive or negative; FILE is a path, or `GITDIR:PATH` to read a file
from a bare git snapshot. A set that is absent is skipped.

    python -m evals.bench_polarity [--errors tune|heldout|all] [--meaning] [--public FILE ...]
"""

import argparse
import json
import random
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.timing import ms_per_item
from synth.text import neutral_pronouns
from synth.themes.polarity import Polarity, statement_polarity, theme_polarity
from synth.themes.stance import combined_polarity, meaning_polarity

DATA = Path(__file__).resolve().parent / "data" / "polarity.jsonl"
SPLIT_SEED = 20240611
HELDOUT_SHARE = 0.3
THEME_SEED = 7
THEME_DRAWS = 2000
CLASSES = ("strength", "growth_area", "neutral")

# --- the original rules (baseline, kept verbatim so the comparison survives changes) ------

_BASE_GROWTH = re.compile(
    r"\b(?:could|should|needs? to|would (?:help|be (?:good|great|nice|better))|wish|struggl\w*|"
    r"late|later|slow\w*|miss\w*|too (?:much|many|often|quiet|long)|hard to|difficult|improv\w*|"
    r"sometimes|not always|lack\w*|rarely|unclear|confus\w*|forg[eo]t\w*|delay\w*|blocker|"
    r"overcommit\w*|bottleneck|frustrat\w*|defensive|hesitant|reluctant|inconsistent|"
    r"don't|doesn't|didn't|isn't|wasn't|hasn't|won't|can't|never|less|fewer|"
    r"at times|tends? to|risk|surprise[ds]?|last[- ]minute|instead of|rather than|"
    r"opportunity|growth area|work on)\b",
    re.IGNORECASE,
)
_BASE_STRENGTH = re.compile(
    r"\b(?:great|excellent|thorough\w*|clear\w*|help(?:ed|ful|s)?|reliabl\w*|strong\w*|"
    r"impressive|thank\w*|appreciat\w*|love[ds]?|fantastic|solid|go-to|proactive\w*|"
    r"mentor\w*|amazing|outstanding|calm\w*|patient\w*|generous\w*|kind\w*|smooth\w*|"
    r"well[- ]\w+|best|brilliant|trust\w*|dependable|sharp|careful\w*|insightful|"
    r"led|owned|shipped|delivered|unblock\w*|caught|saved|improved|enjoy\w*|easy to)\b",
    re.IGNORECASE,
)


def baseline_statement_polarity(text: str) -> float:
    growth = len(_BASE_GROWTH.findall(text))
    strength = len(_BASE_STRENGTH.findall(text))
    if growth == strength == 0:
        return 0.0
    return (strength - growth) / (strength + growth)


def baseline_theme_polarity(scores: Iterable[float]) -> Polarity:
    values = list(scores)
    positive = sum(1 for s in values if s > 0)
    negative = sum(1 for s in values if s < 0)
    if positive and positive >= 2 * negative:
        return Polarity.STRENGTH
    if negative and negative >= 2 * positive:
        return Polarity.GROWTH_AREA
    return Polarity.MIXED


# --- data and metrics ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    text: str
    label: str


def load(path: Path = DATA) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        rows = [Row(**json.loads(line)) for line in handle if line.strip()]
    assert all(r.label in CLASSES for r in rows), "unknown label"
    return rows


def split(rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    """(tuning 70%, held-out 30%), fixed by SPLIT_SEED and the row order of the file."""
    heldout = set(
        random.Random(SPLIT_SEED).sample(range(len(rows)), round(HELDOUT_SHARE * len(rows)))
    )
    tune = [r for i, r in enumerate(rows) if i not in heldout]
    held = [r for i, r in enumerate(rows) if i in heldout]
    return tune, held


def label_of(score: float) -> str:
    if score > 0:
        return "strength"
    if score < 0:
        return "growth_area"
    return "neutral"


@dataclass
class Result:
    accuracy: float
    macro_f1: float
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]  # truth -> predicted -> count


def evaluate(rows: Sequence[Row], scorer: Callable[[str], float]) -> Result:
    confusion = {t: dict.fromkeys(CLASSES, 0) for t in CLASSES}
    for row in rows:
        confusion[row.label][label_of(scorer(row.text))] += 1
    correct = sum(confusion[c][c] for c in CLASSES)
    f1: dict[str, float] = {}
    for c in CLASSES:
        tp = confusion[c][c]
        predicted = sum(confusion[t][c] for t in CLASSES)
        actual = sum(confusion[c].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1[c] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Result(
        accuracy=correct / len(rows) if rows else 0.0,
        macro_f1=sum(f1.values()) / len(CLASSES),
        f1=f1,
        confusion=confusion,
    )


def theme_truth(labels: Sequence[str]) -> Polarity:
    positive = labels.count("strength")
    negative = labels.count("growth_area")
    if positive and positive >= 2 * negative:
        return Polarity.STRENGTH
    if negative and negative >= 2 * positive:
        return Polarity.GROWTH_AREA
    return Polarity.MIXED


def theme_draws(rows: Sequence[Row], count: int = THEME_DRAWS) -> list[list[Row]]:
    """Themes of 3-10 statements: a random strength share, a little neutral context."""
    rng = random.Random(THEME_SEED)
    pools = {c: [r for r in rows if r.label == c] for c in CLASSES}
    themes: list[list[Row]] = []
    for _ in range(count):
        size = rng.randint(3, 10)
        share = rng.choice([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, rng.random()])
        theme = []
        for _ in range(size):
            if pools["neutral"] and rng.random() < 0.05:
                theme.append(rng.choice(pools["neutral"]))
            else:
                theme.append(
                    rng.choice(pools["strength" if rng.random() < share else "growth_area"])
                )
        themes.append(theme)
    return themes


def theme_accuracy(
    themes: Sequence[Sequence[Row]],
    scorer: Callable[[str], float],
    rule: Callable[[Iterable[float]], Polarity],
) -> float:
    right = sum(
        rule(scorer(r.text) for r in theme) is theme_truth([r.label for r in theme])
        for theme in themes
    )
    return right / len(themes) if themes else 0.0


# --- report --------------------------------------------------------------------------------


def _confusion_lines(result: Result) -> list[str]:
    short = {"strength": "S", "growth_area": "G", "neutral": "N"}
    lines = ["truth\\pred " + "".join(f"{short[c]:>5}" for c in CLASSES)]
    for t in CLASSES:
        lines.append(f"{t:<11}" + "".join(f"{result.confusion[t][c]:>5}" for c in CLASSES))
    return lines


def report(name: str, rows: Sequence[Row]) -> None:
    base = evaluate(rows, baseline_statement_polarity)
    new = evaluate(rows, statement_polarity)
    counts = {c: sum(r.label == c for r in rows) for c in CLASSES}
    print(f"\n== {name}: {len(rows)} statements " + " ".join(f"{c}={n}" for c, n in counts.items()))
    print(f"{'':14}{'original':>12}{'new':>12}")
    print(f"{'accuracy':14}{base.accuracy:>12.3f}{new.accuracy:>12.3f}")
    print(f"{'macro-F1':14}{base.macro_f1:>12.3f}{new.macro_f1:>12.3f}")
    for c in CLASSES:
        print(f"{'F1 ' + c:14}{base.f1[c]:>12.3f}{new.f1[c]:>12.3f}")
    left, right = _confusion_lines(base), _confusion_lines(new)
    print(f"{'original':<30}    new")
    for a, b in zip(left, right, strict=True):
        print(f"{a:<30}    {b}")
    themes = theme_draws(rows)
    base_t = theme_accuracy(themes, baseline_statement_polarity, baseline_theme_polarity)
    new_t = theme_accuracy(themes, statement_polarity, theme_polarity)
    print(f"themes ({len(themes)} draws) accuracy: original {base_t:.3f}, new {new_t:.3f}")


def print_errors(rows: Sequence[Row]) -> None:
    for row in rows:
        score = statement_polarity(row.text)
        if label_of(score) != row.label:
            print(f"{row.label:<12}{score:+.2f}  {row.text}")


# --- polarity by meaning, and public sentences ----------------------------------------------


def public_rows(source: str) -> list[Row] | None:
    """SemEval-2016 ABSA sentences whose opinions all share one polarity (positive or
    negative; neutral and conflicting sentences are left out), or None when `source` is absent.
    `source` is a file, or `GITDIR:PATH` for a file in a bare git snapshot."""
    gitdir, sep, inner = source.partition(":")
    if sep and Path(gitdir).is_dir():
        shown = subprocess.run(
            ["git", "--git-dir", gitdir, "show", f"HEAD:{inner}"],
            capture_output=True,
            check=False,
        )
        if shown.returncode != 0:
            return None
        data = shown.stdout
    elif Path(source).is_file():
        data = Path(source).read_bytes()
    else:
        return None
    rows: list[Row] = []
    for sentence in ET.fromstring(data).iter("sentence"):
        text = (sentence.findtext("text") or "").strip()
        polarities = {o.get("polarity") for o in sentence.iter("Opinion")}
        if text and polarities in ({"positive"}, {"negative"}):
            label = "strength" if polarities == {"positive"} else "growth_area"
            rows.append(Row(text=text, label=label))
    return rows


def meaning_report(name: str, rows: Sequence[Row], errors: int = 0) -> None:
    """Accuracy, strengths against growth areas, of the cue rules, the MiniLM direction alone
    and `combined_polarity` (a score of exactly 0 counts as wrong)."""
    from synth.themes.embedders import LOCAL_MODEL, local_embedder

    kept = [r for r in rows if r.label != "neutral"]
    if not kept:
        return
    vectors = local_embedder().embed([neutral_pronouns(r.text) for r in kept])
    truth = np.array([1 if r.label == "strength" else -1 for r in kept])
    cue = np.array([statement_polarity(r.text) for r in kept])
    meaning = np.array([meaning_polarity(v, LOCAL_MODEL) or 0.0 for v in vectors])
    combined = np.array(
        [combined_polarity(r.text, v, LOCAL_MODEL) for r, v in zip(kept, vectors, strict=True)]
    )
    positives = int((truth > 0).sum())

    def accuracy(scores: np.ndarray) -> float:
        return float(np.mean(np.sign(scores) == truth))

    print(
        f"{name}: {len(kept)} sentences ({positives} positive, {len(kept) - positives} "
        f"negative); accuracy cues {accuracy(cue):.3f} (silent on {np.mean(cue == 0):.0%}), "
        f"meaning {accuracy(meaning):.3f}, combined {accuracy(combined):.3f}"
    )
    wrong = [i for i in range(len(kept)) if np.sign(combined[i]) != truth[i]]
    for i in wrong[:errors]:
        print(f"  {kept[i].label:<12}{combined[i]:+.2f} cue {cue[i]:+.2f}  {kept[i].text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=("tune", "heldout", "all"), default=None)
    parser.add_argument("--meaning", action="store_true", help="score combined_polarity too")
    parser.add_argument("--public", action="append", default=[], metavar="FILE")
    parser.add_argument("--public-errors", type=int, default=0, metavar="N")
    args = parser.parse_args()
    rows = load()
    tune, heldout = split(rows)
    report("tuning split (70%)", tune)
    report("held-out split (30%, not looked at while tuning)", heldout)
    report("all", rows)
    if args.meaning or args.public:
        print("\n== combined_polarity, strengths against growth areas")
        meaning_report("tuning split", tune)
        meaning_report("held-out split", heldout)
    for source in args.public:
        public = public_rows(source)
        if public is None:
            print(f"{source}: absent, skipped")
            continue
        name = source.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        meaning_report(f"public {name}", public, args.public_errors)
    per = ms_per_item(statement_polarity, [r.text for r in rows], repeat=20)
    print(f"\nstatement_polarity: {per:.3f} ms per statement (bar < 1 ms)")
    if args.errors:
        print(f"\nerrors ({args.errors}):")
        print_errors({"tune": tune, "heldout": heldout, "all": rows}[args.errors])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
