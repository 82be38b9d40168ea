"""`synth themes cluster`: cluster a JSONL file of texts with no database.

Input: one `{"id": ..., "text": ...}` per line. Output: one `{"id": ..., "theme": int|null}`
per input record, in input order, and optionally a summary of the themes. The whole file is
checked before anything is embedded: a bad line stops the run with its line number. There is
no org chart here, so titles leave out names by what the texts show alone: `phrase_titles`
drops words written as names (`proper_names`, capitalised words that are given names or no
common English word).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synth.errors import InvalidInput
from synth.guards.pii import redact_emails
from synth.schemas import MAX_TEXT_CHARS
from synth.themes.cluster import cluster_embeddings
from synth.themes.embedders import Embedder
from synth.themes.labels import phrase_titles, representatives
from synth.themes.polarity import statement_polarity, theme_polarity

MAX_LINE_BYTES = 1_000_000
MAX_RECORDS = 200_000


@dataclass(frozen=True)
class Record:
    line: int
    id: str | int
    text: str
    group: str | int | None = None


def read_records(path: Path, *, group_by: str | None = None) -> list[Record]:
    """Parse and check every line; raises InvalidInput listing every bad line. With
    `group_by`, every line must carry that field (a string or an integer)."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file", code="file_not_found")
    records: list[Record] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str | int, int] = {}
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if len(raw) > MAX_LINE_BYTES:
                problems.append(_problem(number, "line_too_long", f"over {MAX_LINE_BYTES} bytes"))
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                problems.append(_problem(number, "invalid_encoding", "not UTF-8"))
                continue
            if not line.strip():
                continue
            record = _record(number, line, problems, group_by)
            if record is None:
                continue
            if record.id in seen:
                problems.append(
                    _problem(
                        number, "duplicate_id", f"id {record.id!r} repeats line {seen[record.id]}"
                    )
                )
                continue
            seen[record.id] = number
            records.append(record)
            if len(records) > MAX_RECORDS:
                raise InvalidInput(
                    f"{path}: more than {MAX_RECORDS} records", code="too_many_records"
                )
    if problems:
        raise InvalidInput(
            f"{path}: {len(problems)} bad line(s); nothing was clustered",
            code="invalid_input_file",
            details=problems,
        )
    if not records:
        raise InvalidInput(f"{path}: no records", code="empty_file")
    return records


def _problem(line: int, code: str, message: str) -> dict[str, Any]:
    return {"row": line, "code": code, "message": message}


def _record(
    number: int, line: str, problems: list[dict[str, Any]], group_by: str | None
) -> Record | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        problems.append(_problem(number, "malformed_json", exc.msg))
        return None
    if not isinstance(value, dict):
        problems.append(_problem(number, "malformed_json", "not a JSON object"))
        return None
    ident, text = value.get("id"), value.get("text")
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        problems.append(_problem(number, "invalid_id", "id must be a string or an integer"))
        return None
    if not isinstance(text, str):
        problems.append(_problem(number, "invalid_text", "text must be a string"))
        return None
    if len(text) > MAX_TEXT_CHARS:
        problems.append(_problem(number, "text_too_long", f"text over {MAX_TEXT_CHARS} characters"))
        return None
    group = value.get(group_by) if group_by is not None else None
    if group_by is not None and (isinstance(group, bool) or not isinstance(group, str | int)):
        problems.append(
            _problem(number, "invalid_group", f"{group_by} must be a string or an integer")
        )
        return None
    return Record(number, ident, text, group)


@dataclass(frozen=True)
class FileClustering:
    themes: list[int | None]
    summary: dict[str, Any]


def cluster_records(
    records: list[Record],
    embedder: Embedder,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 256,
    grouped: bool = False,
) -> FileClustering:
    """Embed and cluster the records; blank texts fit no theme. `grouped`: cluster each
    record's group (`Record.group`) separately."""
    usable = [i for i, r in enumerate(records) if r.text.strip()]
    chunks: list[np.ndarray] = []
    for start in range(0, len(usable), batch_size):
        batch = [records[i].text for i in usable[start : start + batch_size]]
        if not embedder.local:  # no org chart here: a hosted model at least gets no emails
            batch = [redact_emails(text) for text in batch]
        chunks.append(embedder.embed(batch))
        if progress:
            progress(min(start + batch_size, len(usable)), len(usable))
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, embedder.dim), np.float32)
    themes: list[int | None] = [None] * len(records)
    if not grouped:
        result = cluster_embeddings(vectors)
        for index, label in zip(usable, result.labels, strict=True):
            themes[index] = int(label) if label >= 0 else None
        summary = _summary(records, usable, vectors, result.labels, embedder)
        return FileClustering(themes=themes, summary=summary)
    # Each group is clustered on its own (theme numbers start at 0 in each), after one
    # embedding pass over the whole file: one model load for many small documents.
    positions: dict[str | int, list[int]] = {}
    for position, index in enumerate(usable):
        group = records[index].group
        assert group is not None
        positions.setdefault(group, []).append(position)
    summaries = []
    for group, members in positions.items():
        result = cluster_embeddings(vectors[members])
        indices = [usable[p] for p in members]
        for index, label in zip(indices, result.labels, strict=True):
            themes[index] = int(label) if label >= 0 else None
        part = _summary(records, indices, vectors[members], result.labels, embedder)
        part["records"] = sum(1 for r in records if r.group == group)
        part["unthemed"] = part["records"] - sum(t["size"] for t in part["themes"])
        summaries.append({"group": group, **part})
    unthemed = sum(1 for t in themes if t is None)
    summary = {"records": len(records), "groups": summaries, "unthemed": unthemed}
    summary["themes"] = [t for part in summaries for t in part["themes"]]
    return FileClustering(themes=themes, summary=summary)


def _summary(
    records: list[Record],
    usable: list[int],
    vectors: np.ndarray,
    labels: np.ndarray,
    embedder: Embedder,
) -> dict[str, Any]:
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        if label >= 0:
            groups.setdefault(int(label), []).append(position)
    ids = sorted(groups)
    texts = [[records[usable[p]].text for p in groups[t]] for t in ids]
    names = phrase_titles(
        texts,
        [vectors[groups[t]] for t in ids],
        embedder.embed if embedder.local else None,
        model=embedder.name,
    )
    themes = []
    for theme_id, name, members in zip(ids, names, (groups[t] for t in ids), strict=True):
        reps = representatives(vectors[members], count=3)
        themes.append(
            {
                "theme": theme_id,
                "label": name,
                "size": len(members),
                "polarity": theme_polarity(
                    statement_polarity(records[usable[p]].text) for p in members
                ).value,
                "representatives": [records[usable[members[r]]].text for r in reps],
            }
        )
    unthemed = len(records) - sum(len(g) for g in groups.values())
    return {"records": len(records), "themes": themes, "unthemed": unthemed}


def write_outputs(
    records: list[Record], result: FileClustering, out: Path, summary: Path | None
) -> None:
    """Write OUT (one line per record, input order) and the optional summary, atomically."""
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record, theme in zip(records, result.themes, strict=True):
            line: dict[str, Any] = {"id": record.id, "theme": theme}
            if record.group is not None:
                line = {"id": record.id, "group": record.group, "theme": theme}
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    tmp.replace(out)
    if summary is not None:
        summary.write_text(json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n")
