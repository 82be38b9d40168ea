"""Two-track detection: does the guard catch every talent-track mention, and only those?

Data: evals/data/two_track.jsonl, sentences written for this project the way peers,
managers and drafts phrase things (feedback, synthesis summaries, expectation suggestions,
key steps), each labelled `talent` (it belongs to the talent track: pay, ratings, promotion,
level changes, level alignment, calibration, performance plans, talent assessment) with a
category. Near misses (`near_miss_*`) share a tempting word with a mention ("raise risks
earlier", "promoted the flag to default", "calibrated the alert thresholds") and are not;
`benign` rows are plain feedback. The set was written before the rules; rows noted "added
after tuning" came from the demo data while checking real drafts.

The original word-list rules are kept here verbatim as the baseline. A sentence counts as
flagged when `forbidden_mentions` returns anything; per category the share flagged is the
recall for positives and the false-positive rate for near misses, and "right code" is the
share of positives flagged with the category's own code (reported, not part of the bar).

A second set, evals/data/two_track_after_rules.jsonl (40 mentions, 30 near misses), was written
by another engineer once the rules passed, without reading them. First run: 34 of 40 caught
(0.85), 1 of 30 near misses flagged. The misses ("a top-tier performer", "her level should go
up", "levelled down to mid", "below what we expect of his level", "for a staff engineer his
scope is too narrow", "on the succession list") became five general rules; the one false
positive ("was promoted to the on-call lead rotation") is kept: promotion talk in text an
engineer reads is worth an edit. Expect roughly that first-run recall on phrasings nobody has
written yet; the guard blocks only engineer-facing text, where a false alarm costs an edit.

The bar, on each set: recall 1.0 (every positive caught) and precision >= 0.95. Exits 1 on a
miss.

    python -m evals.bench_two_track [--errors baseline]
"""

import argparse
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evals.timing import ms_per_item
from synth.guards.two_track import forbidden_mentions

DATA = Path(__file__).resolve().parent / "data" / "two_track.jsonl"
AFTER_RULES = DATA.with_name("two_track_after_rules.jsonl")
RECALL_BAR = 1.0
PRECISION_BAR = 0.95
CODE_OF = {
    "pay": "mentions_compensation",
    "rating": "mentions_rating",
    "promotion": "mentions_promotion",
    "level_change": "mentions_level_change",
    "level_alignment": "mentions_level_alignment",
    "calibration": "mentions_calibration",
    "pip": "mentions_performance_plan",
    "talent_assessment": "mentions_talent_assessment",
}

# --- the original rules (baseline, kept verbatim so the comparison survives changes) ------

_BASE_PATTERNS: dict[str, str] = {
    "mentions_compensation": (
        r"(?<!Apple\s)(?<!Google\s)(?<!Samsung\s)(?<!Amazon\s)(?<!Android\s)(?<!Shop\s)"
        r"\b(?:pay|paid|paying)\b(?!\s+(?:close\s+|more\s+|less\s+)?(?:attention|off|down|back|"
        r"heed|dividends|it\s+forward))"
        r"|\b(?:salary|salaries|payroll|compensation|remuneration|bonus(?:es)?|equity|"
        r"stock\s+options?|stock\s+grants?|rsus?|merit\s+increase|pay\s+(?:rise|band|grade))\b"
        r"|\b(?:a|pay|salary|merit|big|nice|deserved)\s+raises?\b"
        r"|\braises?\s+(?:in|to)\s+(?:pay|salary)\b"
    ),
    "mentions_rating": (
        r"\b(?:ratings?|rated|rate\s+(?:him|her|them|me|you|the\s+engineer)|"
        r"performance\s+(?:score|grade)|(?:exceeds|meets|below)\s+expectations\s+rating)\b"
    ),
    "mentions_promotion": r"\bpromot(?:e|ed|es|ing|ion|ions|able)\b",
    "mentions_level_change": (
        r"\b(?:level|title)\s+(?:change|decision|bump|increase|up)s?\b"
        r"|\blevel(?:led|ed)?[\s-]up\b|\bup-?level(?:led|ed|ing)?\b"
        r"|\b(?:ready\s+for|move\s+(?:up\s+)?to|moving\s+(?:up\s+)?to|step\s+up\s+to|"
        r"jump\s+to|bump(?:ed)?\s+to|get\s+to|reach(?:ed)?)\s+the\s+next\s+level\b"
        r"|\bnext[\s-]level\s+(?:decision|promotion|case|packet|nomination)s?\b"
    ),
    "mentions_calibration": r"\bcalibrat(?:e|ed|es|ing|ion|ions)\b",
    "mentions_talent_assessment": (
        r"\btalent\s+(?:assessments?|map(?:ping)?|reviews?|review\s+board|calibration|pool)\b"
        r"|\b(?:level\s+alignment|recommended\s+level|growth\s+potential|flight\s+risk|"
        r"high[\s-]potential|hipo|nine[\s-]box|9[\s-]box)\b"
    ),
}
_BASE = {code: re.compile(p, re.IGNORECASE) for code, p in _BASE_PATTERNS.items()}


def baseline_mentions(text: str) -> list[tuple[str, str]]:
    hits = [(m.start(), code, m.group(0)) for code, rx in _BASE.items() for m in rx.finditer(text)]
    return [(code, words) for _, code, words in sorted(hits)]


# --- data and metrics ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    text: str
    talent: bool
    category: str
    note: str = ""


def load(path: Path = DATA) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        rows = [Row(**json.loads(line)) for line in handle if line.strip()]
    for row in rows:
        expected = row.category in CODE_OF
        assert row.talent is expected, f"label and category disagree: {row.text!r}"
        assert expected or row.category == "benign" or row.category.startswith("near_miss_")
    return rows


Detector = Callable[[str], list[tuple[str, str]]]


@dataclass
class Result:
    tp: int
    fp: int
    fn: int
    tn: int
    misses: list[Row]
    false_positives: list[tuple[Row, list[tuple[str, str]]]]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(rows: Sequence[Row], detect: Detector) -> Result:
    result = Result(0, 0, 0, 0, [], [])
    for row in rows:
        found = detect(row.text)
        if row.talent and found:
            result.tp += 1
        elif row.talent:
            result.fn += 1
            result.misses.append(row)
        elif found:
            result.fp += 1
            result.false_positives.append((row, found))
        else:
            result.tn += 1
    return result


def by_category(rows: Sequence[Row], detect: Detector) -> dict[str, tuple[int, int, int]]:
    """category -> (rows, flagged, flagged with the category's own code)."""
    table: dict[str, tuple[int, int, int]] = {}
    for row in rows:
        codes = {code for code, _ in detect(row.text)}
        n, flagged, right = table.get(row.category, (0, 0, 0))
        own = CODE_OF.get(row.category)
        table[row.category] = (n + 1, flagged + bool(codes), right + (own in codes))
    return dict(sorted(table.items(), key=lambda kv: (kv[0].startswith("near_miss_"), kv[0])))


# --- report --------------------------------------------------------------------------------


def report(rows: Sequence[Row]) -> tuple[Result, Result]:
    base, new = evaluate(rows, baseline_mentions), evaluate(rows, forbidden_mentions)
    positives = sum(r.talent for r in rows)
    near = sum(r.category.startswith("near_miss_") for r in rows)
    print(
        f"{len(rows)} sentences: {positives} talent-track, {near} near misses, "
        f"{len(rows) - positives - near} benign"
    )
    print(f"{'':12}{'original':>10}{'now':>10}")
    for name, a, b in (
        ("precision", base.precision, new.precision),
        ("recall", base.recall, new.recall),
    ):
        print(f"{name:12}{a:>10.3f}{b:>10.3f}")
    for name in ("tp", "fp", "fn", "tn"):
        print(f"{name:12}{getattr(base, name):>10}{getattr(new, name):>10}")
    old_table, new_table = (
        by_category(rows, baseline_mentions),
        by_category(rows, forbidden_mentions),
    )
    print(f"\n{'category':24}{'rows':>6}{'original':>10}{'now':>8}{'right code':>12}")
    for category, (n, flagged, right) in new_table.items():
        share = f"{right / n:.2f}" if category in CODE_OF else ""
        old = old_table[category][1]
        kind = "recall" if category in CODE_OF else "FP rate"
        print(f"{category:24}{n:>6}{old / n:>10.2f}{flagged / n:>8.2f}{share:>12}  {kind}")
    return base, new


def print_errors(result: Result, title: str) -> None:
    print(f"\n{title}: {len(result.misses)} misses, {len(result.false_positives)} false positives")
    for row in result.misses:
        print(f"  miss  [{row.category}] {row.text}")
    for row, found in result.false_positives:
        words = ", ".join(f"{code}: {words!r}" for code, words in found)
        print(f"  FP    [{row.category}] {row.text}  <- {words}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=("baseline",), default=None, help="also list these")
    args = parser.parse_args()
    rows = load()
    base, new = report(rows)
    per = ms_per_item(forbidden_mentions, [r.text for r in rows])
    print(f"\nforbidden_mentions: {per:.3f} ms per sentence")
    print_errors(new, "now")
    if args.errors == "baseline":
        print_errors(base, "original rules")
    passed = new.recall >= RECALL_BAR and new.precision >= PRECISION_BAR
    print(
        f"\nbar: recall >= {RECALL_BAR:.2f} and precision >= {PRECISION_BAR:.2f}: "
        f"recall {new.recall:.3f}, precision {new.precision:.3f}: {'PASS' if passed else 'FAIL'}"
    )
    print(f"\n=== {AFTER_RULES.name} (written after the rules) ===")
    _, later = report(load(AFTER_RULES))
    print_errors(later, "now")
    later_ok = later.recall >= RECALL_BAR and later.precision >= PRECISION_BAR
    print(
        f"bar: recall {later.recall:.3f}, precision {later.precision:.3f}: "
        f"{'PASS' if later_ok else 'FAIL'}"
    )
    return 0 if passed and later_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
