"""Choose the drafter: the configured litellm model, or the offline drafter by default."""

from synth.config import get_settings
from synth.drafting.base import Drafter

OFFLINE = "offline"


def drafter_name(model: str | None = None) -> str:
    """The name stored with a draft request: a litellm model name or "offline"."""
    return model or get_settings().model or OFFLINE


def get_drafter(model: str | None = None) -> Drafter:
    """The drafter for `model` (default: SYNTH_MODEL, else offline)."""
    name = drafter_name(model)
    if name == OFFLINE:
        from synth.drafting.offline import OfflineDrafter

        return OfflineDrafter()
    from synth.drafting.llm import LLMDrafter

    settings = get_settings()
    return LLMDrafter(name, fallback_models=list(settings.fallback_models))
