"""synth: feedback synthesis for engineering performance management."""

__version__ = "0.1.0"
