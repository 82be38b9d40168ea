"""Read import files (CSV or JSON Lines) into numbered rows, reporting malformed lines."""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from synth.errors import InvalidInput

MAX_FILE_BYTES = 50_000_000
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Row:
    """One record of an import file and the line it came from."""

    line: int
    data: dict[str, Any]


def read_rows(path: Path) -> list[Row]:
    """Rows of a .csv or .jsonl file; any unreadable line rejects the whole file."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file", code="file_not_found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path}: larger than {MAX_FILE_BYTES} bytes", code="file_too_large")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text ({exc})", code="invalid_encoding") from exc
    rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _jsonl_rows(text, path)
    if not rows:
        raise InvalidInput(f"{path}: no records", code="empty_file")
    return rows


def _csv_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    rows: list[Row] = []
    for record in reader:
        if None in record:
            raise InvalidInput(
                f"line {reader.line_num}: more fields than the header has", code="malformed_csv"
            )
        if not any((v or "").strip() for v in record.values()):
            continue
        cleaned = {k.strip(): (v.strip() if v.strip() else None) for k, v in record.items()}
        rows.append(Row(line=reader.line_num, data=cleaned))
    return rows


def _jsonl_rows(text: str, path: Path) -> list[Row]:
    rows: list[Row] = []
    bad: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append({"row": number, "code": "malformed_json", "message": exc.msg})
            continue
        if not isinstance(value, dict):
            bad.append({"row": number, "code": "malformed_json", "message": "not a JSON object"})
            continue
        rows.append(Row(line=number, data=value))
    if bad:
        raise InvalidInput(
            f"{path}: {len(bad)} unreadable line(s); nothing was imported",
            code="import_rejected",
            details=bad,
        )
    return rows


def without_blanks(row: Row, aliases: dict[str, str] | None = None) -> Row:
    """The row without empty cells (so defaults apply), with columns renamed by `aliases`."""
    names = aliases or {}
    data = {names.get(k, k): v for k, v in row.data.items() if v not in (None, "")}
    return Row(line=row.line, data=data)


def validate_rows(rows: list[Row], model: type[M]) -> list[M]:
    """Validate every row against `model`; all errors are reported together by line."""
    parsed: list[M] = []
    bad: list[dict[str, Any]] = []
    for row in rows:
        try:
            parsed.append(model.model_validate(row.data))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()
            )
            bad.append({"row": row.line, "code": "invalid_row", "message": problems})
    if bad:
        raise InvalidInput(
            f"{len(bad)} of {len(rows)} rows are invalid; nothing was imported",
            code="import_rejected",
            details=bad,
        )
    return parsed
