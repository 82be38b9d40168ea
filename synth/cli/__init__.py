"""The `synth` command: a thin face over the services (parse, call, format)."""

from synth.cli import core, evaluate, themes
from synth.cli.base import app

__all__ = ["app", "core", "evaluate", "themes"]
