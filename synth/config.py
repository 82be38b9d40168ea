"""Settings: one BaseSettings class, read from SYNTH_* environment variables."""

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BeforeValidator, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("synth"))


def _names(value: Any) -> Any:
    """A list from "a,b,c" (or a JSON list, as SYNTH_FALLBACK_MODELS has always accepted)."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        return json.loads(value)
    return [name.strip() for name in value.split(",") if name.strip()]


NameList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Runtime configuration; every field maps to a SYNTH_<NAME> environment variable."""

    model_config = SettingsConfigDict(env_prefix="SYNTH_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL (with pgvector). Unset: an embedded server in data_dir.",
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    model: str | None = Field(default=None, description="litellm model name; unset = offline")
    fallback_models: NameList = Field(
        default_factory=list, description="litellm models tried in order when SYNTH_MODEL fails"
    )
    allowed_models: NameList = Field(
        default_factory=list,
        description=(
            "litellm models a draft request may name (comma-separated); SYNTH_MODEL and "
            "SYNTH_FALLBACK_MODELS are always allowed. Empty: offline only"
        ),
    )
    llm_api_base: str | None = Field(default=None, description="Base URL for SYNTH_MODEL")
    llm_max_retries: int = Field(default=3, ge=0, le=10, description="Retries per model")
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one model call")
    llm_request_limit: int = Field(default=4, ge=1, description="Model requests per draft")
    llm_total_tokens_limit: int = Field(default=60_000, ge=1_000, description="Tokens per draft")
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="all-MiniLM-L6-v2 (packaged, local) or a litellm embedding model name",
    )
    embedding_dim: int | None = Field(default=None, description="Dimension of a hosted model")
    embedding_api_base: str | None = Field(default=None, description="Base URL of its API")
    max_request_bytes: int = Field(default=2_000_000, description="Largest accepted request body")
    anonymity_threshold: int = Field(default=3, ge=2, le=10)
    db_pool_size: int = Field(
        default=20,
        ge=1,
        description="Connections kept in the pool; by default as many requests run at once",
    )
    db_max_overflow: int = Field(
        default=5, ge=0, description="Extra connections, opened and closed again under bursts"
    )
    db_pool_timeout_s: float = Field(
        default=5.0, gt=0, description="Wait for a pooled connection before answering 503"
    )
    db_connect_timeout_s: int = Field(
        default=5, ge=2, description="Wait for a new database connection before giving up"
    )
    max_concurrent_requests: int | None = Field(
        default=None,
        ge=1,
        description="Requests handled at once (unset: the pool size); others queue",
    )
    request_queue_timeout_s: float = Field(
        default=2.0,
        ge=0,
        description="How long a request may wait for a free slot before 503 (0: answer at once)",
    )
    cors_origins: NameList = Field(
        default_factory=list, description="Origins allowed by CORS (comma-separated); empty: none"
    )
    auth_failure_limit: int = Field(
        default=10, ge=1, description="Failed API keys per client IP before 429"
    )
    auth_failure_window_s: float = Field(
        default=60.0, gt=0, description="Window in which auth_failure_limit failures are allowed"
    )
    session_hours: float = Field(
        default=10.0, gt=0, description="How long a web app sign-in lasts, at most"
    )
    session_idle_minutes: float = Field(
        default=60.0, gt=0, description="A web app session unused this long is signed out"
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the web app's cookies Secure (set when synth is served over HTTPS; "
        "requests that arrive over HTTPS get Secure cookies anyway)",
    )
    idempotency_ttl_hours: float = Field(
        default=24.0, gt=0, description="How long an Idempotency-Key replays its first response"
    )

    webhook_timeout_s: float = Field(
        default=10.0, gt=0, le=60, description="How long a webhook receiver may take to answer"
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, le=50, description="Deliveries tried per event and subscriber"
    )
    webhook_retry_base_s: float = Field(
        default=10.0,
        ge=0,
        description="Wait before the first retry of a webhook; doubled each time, at most 1 h",
    )
    event_retention_days: int = Field(
        default=30, ge=1, description="Events (and their delivery log) older than this are purged"
    )

    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        BeforeValidator(lambda value: value.upper() if isinstance(value, str) else value),
    ] = Field(default="INFO", description="Least severe log record written")
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines for people (text) or one JSON object a line"
    )

    @field_validator("fallback_models", "allowed_models", "cors_origins", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        return _names(value)

    @property
    def request_limit(self) -> int:
        """Requests admitted at once: by default as many as the pool keeps connections, so a
        steady load reuses them instead of opening and closing overflow ones (which costs
        PostgreSQL a process each time)."""
        return self.max_concurrent_requests or self.db_pool_size


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
