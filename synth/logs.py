"""Logging for every synth process, set up in one place: `configure_logging()`.

`SYNTH_LOG_LEVEL` (default INFO) and `SYNTH_LOG_FORMAT`: `text` for people, `json` for a log
pipeline, one object a line with `time`, `level`, `logger`, `message`, the fields passed as
`extra=` and, for a failure, `exception`. uvicorn's loggers are routed through the same
handler, so `synth serve` writes one format (its access lines get `client`, `method`, `path`,
`http_version` and `status` fields).
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from synth.config import get_settings

LogFormat = Literal["text", "json"]
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# What every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class _Stderr(logging.StreamHandler[TextIO]):
    """A handler on whatever sys.stderr is when a record is written (a test runner or a
    CLI runner may swap it after logging was configured)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a record carries beyond the standard ones (from `extra=`, or uvicorn's
    access line taken apart)."""
    fields = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}
    if record.name == "uvicorn.access" and isinstance(record.args, tuple):
        if len(record.args) == len(_ACCESS_FIELDS):
            fields.update(zip(_ACCESS_FIELDS, record.args, strict=True))
    fields.pop("color_message", None)  # uvicorn's copy of the message with ANSI colours
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, with any extra fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (stdlib name)
        line = super().formatMessage(record)
        fields = extra_fields(record) if record.name != "uvicorn.access" else {}
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return line


def configure_logging(level: str | None = None, fmt: LogFormat | None = None) -> None:
    """Send every log record (synth's, uvicorn's, libraries') to stderr in one format.

    Defaults come from the settings. Calling it again replaces what it set up before and
    leaves handlers others installed (a test runner's) alone.
    """
    settings = get_settings()
    level = (level or settings.log_level).upper()
    fmt = fmt or settings.log_format
    handler = _Stderr()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.set_name("synth")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "synth"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        # uvicorn's own config gives these handlers and stops them propagating: undo that,
        # so its records reach the handler above.
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
