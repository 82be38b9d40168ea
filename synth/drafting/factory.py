"""Choose the drafter: the configured litellm model, or the offline drafter by default.

Which models may see feedback is the operator's decision, not the requester's: a draft may
name only "offline", SYNTH_MODEL, SYNTH_FALLBACK_MODELS or SYNTH_ALLOWED_MODELS.
"""

from synth.config import get_settings
from synth.drafting.base import Drafter
from synth.errors import InvalidInput

OFFLINE = "offline"


def drafter_name(model: str | None = None) -> str:
    """The name stored with a draft request: a litellm model name or "offline"."""
    return model or get_settings().model or OFFLINE


def allowed_models() -> list[str]:
    """The models the operator lets drafts use, "offline" first."""
    settings = get_settings()
    configured = [settings.model] if settings.model else []
    return list(
        dict.fromkeys([OFFLINE, *configured, *settings.fallback_models, *settings.allowed_models])
    )


def _require_allowed(model: str) -> None:
    allowed = allowed_models()
    if model not in allowed:
        raise InvalidInput(
            f"model '{model}' is not allowed here; allowed: {', '.join(allowed)} "
            "(the operator sets SYNTH_ALLOWED_MODELS)",
            code="model_not_allowed",
            details={"allowed": allowed},
        )


def get_drafter(model: str | None = None) -> Drafter:
    """The drafter for `model` (default: SYNTH_MODEL, else offline).

    The allow-list is checked here too: a draft queued before the operator narrowed it
    fails instead of sending feedback to a model no longer allowed.
    """
    name = drafter_name(model)
    _require_allowed(name)
    if name == OFFLINE:
        from synth.drafting.offline import OfflineDrafter

        return OfflineDrafter()
    from synth.drafting.llm.drafter import LLMDrafter

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
    """InvalidInput unless the operator allows `model` (model_not_allowed) and, for a hosted
    model, litellm knows its provider (unknown_model)."""
    _require_allowed(model)
    if model != OFFLINE:
        from synth.drafting.llm.drafter import validate_model_name

        validate_model_name(model)
