"""litellm in-process behind pydantic-ai: `OpenAIChatModel` over a client that calls litellm.

pydantic-ai 2.x talks to litellm only as an HTTP proxy. Here `OpenAIChatModel` keeps doing what
it is good at (messages, tools, structured output, usage) and sends its Chat Completions call to
a small client whose `chat.completions.create(**kwargs)` is `litellm.acompletion(...)`; litellm
speaks each provider's wire format (OpenAI, Anthropic, Azure, Bedrock, Ollama, vLLM, ...), and
its `ModelResponse` is turned back into an `openai` `ChatCompletion`.

What `OpenAIChatModel` needs of its client (pydantic-ai 2.62): `chat.completions.create` and
`base_url`; `with_options` only when a request sets `ModelSettings["max_retries"]`, which we
never do (retries happen here, with tenacity, only for transient errors).
"""

import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # else importing litellm stalls

import litellm  # noqa: E402
from litellm.exceptions import (  # noqa: E402
    APIConnectionError,
    InternalServerError,
    RateLimitError,
    ServiceUnavailableError,
    Timeout,
)
from openai import AsyncOpenAI, NotGiven, Omit  # noqa: E402
from openai.types.chat import ChatCompletion  # noqa: E402
from pydantic_ai.exceptions import UserError  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel  # noqa: E402
from pydantic_ai.providers import Provider  # noqa: E402
from pydantic_ai.providers.litellm import LiteLLMProvider  # noqa: E402
from pydantic_ai.settings import ModelSettings  # noqa: E402
from tenacity import (  # noqa: E402
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from synth.errors import InvalidInput  # noqa: E402

litellm.suppress_debug_info = True  # it prints provider lists to stdout on unknown models

log = logging.getLogger("synth.drafting.litellm")

Completion = Callable[..., Awaitable[Any]]

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    RateLimitError,
    ServiceUnavailableError,
    InternalServerError,
    Timeout,
    APIConnectionError,
)


def is_transient(error: BaseException) -> bool:
    """Worth retrying the same model: rate limits, 5xx, timeouts and connection errors."""
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    status = getattr(error, "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


def provider_of(model: str, api_base: str | None = None) -> str:
    """The litellm provider serving `model` (e.g. "openai", "anthropic"), found offline."""
    try:
        _, provider, _, _ = litellm.get_llm_provider(model, api_base=api_base)
    except Exception as exc:  # litellm raises BadRequestError and others for unknown names
        raise InvalidInput(
            f"unknown model {model!r}: litellm knows no provider for it "
            "(name it provider/model, e.g. openai/gpt-4o-mini or anthropic/claude-haiku-4-5)",
            code="unknown_model",
            details={"model": model},
        ) from exc
    return str(provider)


@dataclass
class Ledger:
    """What the adapter saw across requests: tokens, cost and the failed attempts."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    failures: list[str] = field(default_factory=list)


def _cost(response: Any, model: str) -> float:
    """litellm's cost of one response from its local price map; 0.0 for unknown models."""
    hidden = getattr(response, "_hidden_params", None) or {}
    cost = hidden.get("response_cost")
    if isinstance(cost, int | float):
        return float(cost)
    try:
        return float(litellm.completion_cost(completion_response=response, model=model))
    except Exception:  # unknown price is normal (local models, new names): cost 0, not a failure
        return 0.0


def _given(value: object) -> bool:
    return value is not None and not isinstance(value, Omit | NotGiven)


@dataclass
class LiteLLMClient:
    """The slice of `AsyncOpenAI` that `OpenAIChatModel` uses, answered by litellm."""

    model: str
    api_base: str | None = None
    timeout_s: float = 60.0
    max_retries: int = 3
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    completion: Completion = litellm.acompletion
    ledger: Ledger = field(default_factory=Ledger)

    @property
    def chat(self) -> "LiteLLMClient":
        return self

    @property
    def completions(self) -> "LiteLLMClient":
        return self

    @property
    def base_url(self) -> str:
        return self.api_base or f"litellm:{provider_of(self.model, self.api_base)}"

    async def create(self, **kwargs: Any) -> ChatCompletion:
        """`chat.completions.create` as `OpenAIChatModel` calls it, sent through litellm."""
        if kwargs.get("stream"):
            raise UserError("the in-process litellm adapter does not stream")
        params = {k: v for k, v in kwargs.items() if _given(v)}
        params.pop("stream", None)
        params.pop("stream_options", None)
        params.pop("timeout", None)  # ours applies; pydantic-ai passes an SDK timeout object
        headers = {
            k: v for k, v in dict(params.pop("extra_headers", {})).items() if k != "User-Agent"
        }
        if headers:
            params["extra_headers"] = headers
        params["model"] = self.model
        response = await self._with_retries(params)
        usage = getattr(response, "usage", None)
        self.ledger.requests += 1
        self.ledger.input_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.ledger.output_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        self.ledger.cost_usd += _cost(response, self.model)
        return ChatCompletion.model_validate(response.model_dump())

    async def _with_retries(self, params: dict[str, Any]) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_random_exponential(multiplier=self.backoff_base_s, max=self.backoff_max_s),
            retry=retry_if_exception(is_transient),
            before_sleep=self._note_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                try:
                    return await self.completion(
                        **params,
                        api_base=self.api_base,
                        timeout=self.timeout_s,
                        max_retries=0,  # no hidden SDK retries: tenacity above owns them
                        drop_params=True,  # providers reject OpenAI params they lack
                    )
                except Exception as exc:
                    self.ledger.failures.append(f"{self.model}: {type(exc).__name__}: {exc}")
                    raise
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _note_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "model %s: transient error (%s), retry %d/%d",
            self.model,
            type(error).__name__,
            state.attempt_number,
            self.max_retries,
        )


class InProcessLiteLLMProvider(Provider[AsyncOpenAI]):
    """A pydantic-ai provider whose client is a `LiteLLMClient` (no HTTP of its own)."""

    def __init__(self, client: LiteLLMClient) -> None:
        self._client = cast(AsyncOpenAI, client)
        self._litellm = client

    @property
    def name(self) -> str:
        return "litellm"

    @property
    def base_url(self) -> str:
        return self._litellm.base_url

    @property
    def client(self) -> AsyncOpenAI:
        return self._client


def litellm_model(
    model: str,
    *,
    api_base: str | None = None,
    timeout_s: float = 60.0,
    max_retries: int = 3,
    backoff_base_s: float = 1.0,
    backoff_max_s: float = 30.0,
    settings: ModelSettings | None = None,
    completion: Completion | None = None,
) -> tuple[OpenAIChatModel, Ledger]:
    """A pydantic-ai model for the litellm model name `model`, and the ledger of its calls."""
    provider = provider_of(model, api_base)
    client = LiteLLMClient(
        model=model,
        api_base=api_base,
        timeout_s=timeout_s,
        max_retries=max_retries,
        backoff_base_s=backoff_base_s,
        backoff_max_s=backoff_max_s,
        completion=completion or litellm.acompletion,
    )
    bare = model.split("/", 1)[1] if model.startswith(f"{provider}/") else model
    chat_model = OpenAIChatModel(
        model,
        provider=InProcessLiteLLMProvider(client),
        # pydantic-ai's own litellm profiles: the provider family's quirks, OpenAI JSON schemas
        profile=LiteLLMProvider.model_profile(f"{provider}/{bare}"),
        settings=settings,
    )
    return chat_model, client.ledger
