"""The `synth` command: a thin face over the services (parse, call, format)."""

from synth.cli import core, themes
from synth.cli.base import app

__all__ = ["app", "core", "themes"]
