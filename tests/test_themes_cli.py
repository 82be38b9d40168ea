"""`synth themes cluster IN.jsonl -o OUT.jsonl [--summary S.json]`: the file contract."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.cli import app

runner = CliRunner()

FEEDBACK = [
    "Her code reviews are thorough and catch real bugs.",
    "Code reviews from her are careful and detailed.",
    "She reviews pull requests thoroughly and finds defects.",
    "She handled the payments outage calmly as incident commander.",
    "During the checkout outage she led the incident response well.",
    "She ran the database outage incident response very calmly.",
    "The office coffee machine makes excellent espresso.",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def records(texts: list[str]) -> list[str]:
    return [json.dumps({"id": f"f{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]


def cluster(tmp_path: Path, lines: list[str], *extra: str) -> tuple[int, str, Path]:
    source = write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["themes", "cluster", str(source), "-o", str(out), *extra])
    return result.exit_code, result.stdout + result.stderr, out


def read(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_one_output_line_per_input_line_in_order(tmp_path: Path) -> None:
    code, output, out = cluster(tmp_path, records(FEEDBACK), "--summary", str(tmp_path / "s.json"))
    assert code == 0, output
    rows = read(out)
    assert [r["id"] for r in rows] == [f"f{i}" for i in range(len(FEEDBACK))]
    themes = [r["theme"] for r in rows]
    assert themes[0] == themes[1] == themes[2] is not None
    assert themes[3] == themes[4] == themes[5] is not None and themes[3] != themes[0]
    assert themes[6] is None
    summary = json.loads((tmp_path / "s.json").read_text())
    assert {t["size"] for t in summary["themes"]} == {3}
    assert all(t["label"] and t["representatives"] for t in summary["themes"])
    assert summary["unthemed"] == 1


def test_same_file_same_themes(tmp_path: Path) -> None:
    _, _, out = cluster(tmp_path, records(FEEDBACK))
    first = out.read_text()
    _, _, out = cluster(tmp_path, records(FEEDBACK))
    assert out.read_text() == first


@pytest.mark.parametrize(
    ("lines", "code", "row"),
    [
        (
            ['{"id": 1, "text": "fine"}', "{not json", '{"id": 2, "text": "ok"}'],
            "malformed_json",
            2,
        ),
        (['{"id": 1, "text": "a"}', '{"id": 1, "text": "b"}'], "duplicate_id", 2),
        (['{"id": 1, "text": "a"}', '{"text": "no id"}'], "invalid_id", 2),
        (['{"id": 1, "text": "a"}', '{"id": 2, "text": 5}'], "invalid_text", 2),
        (['{"id": 1, "text": "a"}', '["a list"]'], "malformed_json", 2),
        (['{"id": 1, "text": "' + "x" * 10_001 + '"}'], "text_too_long", 1),
    ],
)
def test_bad_lines_stop_the_run_and_name_their_line(
    tmp_path: Path, lines: list[str], code: str, row: int
) -> None:
    exit_code, output, out = cluster(tmp_path, lines)
    assert exit_code == 2
    assert code in output and str(row) in output
    assert not out.exists()


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    exit_code, output, out = cluster(tmp_path, ["", "   "])
    assert exit_code == 2 and "empty_file" in output and not out.exists()


def test_blank_texts_fit_no_theme_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    lines = records(FEEDBACK[:3]) + ["", json.dumps({"id": "blank", "text": "   "})]
    code, output, out = cluster(tmp_path, lines)
    assert code == 0, output
    rows = read(out)
    assert len(rows) == 4 and rows[3] == {"id": "blank", "theme": None}


def test_a_single_statement_fits_no_theme(tmp_path: Path) -> None:
    code, _, out = cluster(tmp_path, records(["Great reviews."]))
    assert code == 0 and read(out) == [{"id": "f0", "theme": None}]


def test_identical_statements_make_one_theme(tmp_path: Path) -> None:
    code, _, out = cluster(tmp_path, records(["Great code reviews."] * 6))
    assert code == 0 and {r["theme"] for r in read(out)} == {0}


def test_other_languages_and_emoji_are_clustered(tmp_path: Path) -> None:
    texts = [
        "Ótima colega, sempre disposta a ajudar 🙌",
        "Muy buenas revisiones de código 👍",
        "🙌🙌🙌",
    ]
    code, output, out = cluster(tmp_path, records(texts + FEEDBACK[:3]))
    assert code == 0, output
    assert len(read(out)) == 6


def test_integer_and_string_ids_are_kept_as_given(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 7, "text": FEEDBACK[0]}),
        json.dumps({"id": "7", "text": FEEDBACK[1]}),
    ]
    code, _, out = cluster(tmp_path, lines)
    assert code == 0 and [r["id"] for r in read(out)] == [7, "7"]


def test_group_by_clusters_each_group_on_its_own_in_one_run(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": f"{who}-{i}", "person": who, "text": t})
        for who in ("ana", "ben")
        for i, t in enumerate(FEEDBACK)
    ]
    summary = tmp_path / "summary.json"
    code, output, out = cluster(tmp_path, lines, "--group-by", "person", "--summary", str(summary))
    assert code == 0, output
    rows = read(out)
    assert [r["id"] for r in rows] == [json.loads(line)["id"] for line in lines]
    assert {r["group"] for r in rows} == {"ana", "ben"}
    by_group = {g: [r["theme"] for r in rows if r["group"] == g] for g in ("ana", "ben")}
    assert by_group["ana"] == by_group["ben"]  # the same texts, clustered apart, alike
    assert 0 in by_group["ana"]  # theme numbers start again in each group
    parts = json.loads(summary.read_text())["groups"]
    assert [p["group"] for p in parts] == ["ana", "ben"]
    assert all(p["records"] == len(FEEDBACK) and p["themes"] for p in parts)
    assert "2 groups by person" in output


@pytest.mark.parametrize("value", [None, True, {"nested": 1}, [1]])
def test_group_by_refuses_a_line_without_a_usable_group(tmp_path: Path, value: object) -> None:
    good = json.dumps({"id": "a", "person": "ana", "text": FEEDBACK[0]})
    bad = {"id": "b", "text": FEEDBACK[1]}
    if value is not None:
        bad["person"] = value  # type: ignore[assignment]
    code, output, out = cluster(tmp_path, [good, json.dumps(bad)], "--group-by", "person")
    assert code == 2 and "invalid_group" in output and "2" in output
    assert not out.exists()
