"""Read the sample organisation shipped under synth/demo/data/."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from synth.records import Row, read_rows

DATA_DIR = Path(__file__).parent / "data"
PERIOD = {
    "name": "2026 H2",
    "kind": "half_year",
    "starts_on": "2026-07-01",
    "ends_on": "2026-12-31",
}


@dataclass(frozen=True)
class SampleOrg:
    """Everything the demo stores, as read from the files."""

    people: list[Row]
    expectations: dict[str, list[dict[str, Any]]]
    self_assessments: dict[str, dict[str, Any]]
    feedback: list[Row]
    talent_assessments: list[dict[str, Any]]
    period: dict[str, Any]  # the moments between the records (period.yaml)


def _yaml(name: str) -> Any:
    path = DATA_DIR / name
    return yaml.safe_load(path.read_text()) if path.exists() else None


def load(data_dir: Path = DATA_DIR) -> SampleOrg:
    """Parse the sample files (people.csv, *.yaml, feedback.jsonl)."""
    return SampleOrg(
        people=read_rows(data_dir / "people.csv"),
        expectations=_yaml("expectations.yaml") or {},
        self_assessments=_yaml("self_assessments.yaml") or {},
        feedback=read_rows(data_dir / "feedback.jsonl"),
        talent_assessments=_yaml("talent_assessments.yaml") or [],
        period=_yaml("period.yaml") or {},
    )
