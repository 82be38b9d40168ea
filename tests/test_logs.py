"""Logging is configured once, by SYNTH_LOG_LEVEL and SYNTH_LOG_FORMAT, and uvicorn's records
(access lines too) come out in the same format as synth's own."""

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from typer.testing import CliRunner

from synth import cli
from synth.config import get_settings
from synth.db.engine import get_engine
from synth.logs import UVICORN_LOGGERS, configure_logging

ACCESS_LINE = ('%s - "%s %s HTTP/%s" %d', ("127.0.0.1:53122", "GET", "/healthz", "1.1", 200))


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Each test configures logging its own way; put back what the test run had."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    loggers = {name: logging.getLogger(name) for name in UVICORN_LOGGERS}
    saved_uvicorn = {n: (lg.handlers[:], lg.propagate, lg.level) for n, lg in loggers.items()}
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, (handlers, propagate, level) in saved_uvicorn.items():
        loggers[name].handlers[:] = handlers
        loggers[name].propagate = propagate
        loggers[name].setLevel(level)
    get_settings.cache_clear()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_lines_carry_time_level_logger_message_and_extras(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="INFO", fmt="json")
    logging.getLogger("synth.worker").info(
        "draft %s generated", "d-1", extra={"draft_id": "d-1", "attempt": 2}
    )

    (line,) = json_lines(capsys.readouterr().err)
    assert line["level"] == "INFO"
    assert line["logger"] == "synth.worker"
    assert line["message"] == "draft d-1 generated"
    assert line["draft_id"] == "d-1" and line["attempt"] == 2
    assert line["time"].endswith("+00:00") and "T" in line["time"]


def test_json_lines_carry_the_exception(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", fmt="json")
    try:
        raise ValueError("the embedder broke")
    except ValueError:
        logging.getLogger("synth.api").exception("unhandled error")

    (line,) = json_lines(capsys.readouterr().err)
    assert line["level"] == "ERROR"
    assert "ValueError: the embedder broke" in line["exception"]


def test_text_lines_are_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", fmt="text")
    logging.getLogger("synth.worker").warning("lease lost", extra={"draft_id": "d-7"})

    err = capsys.readouterr().err.strip()
    assert not err.startswith("{")
    assert "WARNING synth.worker: lease lost draft_id=d-7" in err


def test_level_and_format_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTH_LOG_LEVEL", "warning")
    monkeypatch.setenv("SYNTH_LOG_FORMAT", "json")
    get_settings.cache_clear()
    configure_logging()
    log = logging.getLogger("synth.db")
    log.info("pool ready")
    log.warning("database busy")

    assert [line["message"] for line in json_lines(capsys.readouterr().err)] == ["database busy"]


def test_defaults_are_info_and_text() -> None:
    settings = get_settings()
    assert (settings.log_level, settings.log_format) == ("INFO", "text")


def test_configuring_again_replaces_the_handler_and_keeps_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    others = [h for h in root.handlers if h.get_name() != "synth"]
    configure_logging(fmt="text")
    configure_logging(fmt="json")
    logging.getLogger("synth").warning("once")

    assert [h for h in root.handlers if h.get_name() != "synth"] == others
    assert len(json_lines(capsys.readouterr().err)) == 1


def test_uvicorn_records_use_the_same_format_even_after_its_own_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # uvicorn's default config gives its loggers handlers of their own that do not propagate.
    uvicorn.Config(app="synth.api.app:create_app", log_config=uvicorn.config.LOGGING_CONFIG)
    configure_logging(level="INFO", fmt="json")
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("uvicorn.access").info(ACCESS_LINE[0], *ACCESS_LINE[1])

    started, access = json_lines(capsys.readouterr().err)
    assert started["logger"] == "uvicorn.error"
    assert started["message"] == "Started server process [42]"
    assert access["logger"] == "uvicorn.access"
    assert access["message"] == '127.0.0.1:53122 - "GET /healthz HTTP/1.1" 200'
    assert (access["method"], access["path"], access["status"]) == ("GET", "/healthz", 200)


def test_synth_serve_routes_uvicorn_logging_through_synth(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`synth serve` configures logging and leaves uvicorn's alone: its lines come out as
    JSON when SYNTH_LOG_FORMAT=json."""
    monkeypatch.setenv("SYNTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SYNTH_LOG_FORMAT", "json")
    get_settings.cache_clear()
    get_engine.cache_clear()
    calls: list[dict[str, Any]] = []

    def run(app: FastAPI, **options: Any) -> None:
        calls.append(options)
        # What uvicorn.run does with logging before it serves, then two of its lines.
        uvicorn.Config(app, **options)
        logging.getLogger("uvicorn.error").info("Uvicorn running")
        logging.getLogger("uvicorn.access").info(ACCESS_LINE[0], *ACCESS_LINE[1])

    monkeypatch.setattr(uvicorn, "run", run)
    try:
        result = CliRunner().invoke(cli.app, ["serve", "--no-worker", "--port", "8123"])
    finally:
        get_engine.cache_clear()
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["port"] == 8123
    lines = json_lines(result.stderr)
    assert {"uvicorn.error", "uvicorn.access"} <= {line["logger"] for line in lines}, result.stderr
