"""Settings: one BaseSettings class, read from SYNTH_* environment variables."""

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("synth"))


class Settings(BaseSettings):
    """Runtime configuration; every field maps to a SYNTH_<NAME> environment variable."""

    model_config = SettingsConfigDict(env_prefix="SYNTH_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL (with pgvector). Unset: an embedded server in data_dir.",
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    model: str | None = Field(default=None, description="litellm model name; unset = offline")
    fallback_models: list[str] = Field(
        default_factory=list, description="litellm models tried in order when SYNTH_MODEL fails"
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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
