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
    return LLMDrafter(
        name,
        fallback_models=list(settings.fallback_models),
        max_retries=settings.llm_max_retries,
        timeout_s=settings.llm_timeout_s,
        request_limit=settings.llm_request_limit,
        total_tokens_limit=settings.llm_total_tokens_limit,
        api_base=settings.llm_api_base,
    )


def check_model(model: str) -> None:
    """InvalidInput(unknown_model) unless the model is "offline" or known to litellm."""
    if model != OFFLINE:
        from synth.drafting.llm import validate_model_name

        validate_model_name(model)
