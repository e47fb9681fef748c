"""Typed settings, read from the environment (prefix ``LIVEASSIST_``) once per process.

Nothing connects or reads files at import time; callers ask :func:`get_settings` when they need
values, and tests clear its cache (``get_settings.cache_clear()``) after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Defaults give a working first run with no services."""

    model_config = SettingsConfigDict(env_prefix="LIVEASSIST_", extra="ignore")

    data_dir: Path = Field(default=Path(".data"), description="Default database, vector index and logs.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    max_message_chars: int = Field(default=500, ge=1, description="Longer messages are ignored as spam.")
    low_stock_threshold: int = Field(default=5, ge=0, description="At or below this, stock reads as urgency.")
    answer_confidence: float = Field(
        default=0.6, ge=0.0, le=1.0, description="Below this the planner escalates instead of answering."
    )
    llm_model: str | None = Field(default=None, description="Model name for an OpenAI-compatible endpoint.")
    planner: Literal["auto", "offline", "hybrid", "llm"] = Field(
        default="auto", description="offline only; hybrid: the LLM for what the offline planner cannot answer; "
        "llm: the LLM for every question (to compare); auto: hybrid when an endpoint is configured.")
    llm_deadline_seconds: float = Field(default=3.0, gt=0, description="The live room never waits longer for the LLM.")
    llm_max_rounds: int = Field(default=4, ge=1, le=10, description="Tool-call rounds per question.")
    llm_max_prompt_tokens: int = Field(default=3000, ge=500, description="Prompt budget (tool results are cut to fit).")
    llm_max_reply_tokens: int = Field(
        default=300, ge=16, description="Tokens the model may write per round: a reply is one short sentence "
        "and a tool call a few dozen tokens; the cap stops a rambling model spending the room's time.")
    llm_price_in_per_1k: float = Field(default=0.0, ge=0, description="Price per 1,000 prompt tokens, for cost estimates.")
    llm_price_out_per_1k: float = Field(default=0.0, ge=0, description="Price per 1,000 completion tokens.")
    group_window_seconds: float = Field(default=30.0, gt=0, description="Same question within this → one group.")
    follow_up_seconds: float = Field(default=3.0, gt=0, description="How often a group's new askers get a post.")
    queue_size: int = Field(default=2000, ge=1, description="Messages waiting to be answered before shedding.")
    workers: int = Field(default=1, ge=1, le=16, description="Threads answering queued messages.")
    bus_url: str | None = Field(default=None, description="redis://… to share the stream between processes.")
    whisper_model: Path | None = Field(default=None, description="A CTranslate2 Whisper model folder (default: the bundled base model).")
    voice_min_confidence: float = Field(default=0.55, ge=0, le=1, description="Below this, a spoken question goes to the host.")
    max_audio_seconds: float = Field(default=30.0, gt=0, description="Longer clips are refused.")
    bus_claim_seconds: float = Field(default=5.0, gt=0, description="A stopped worker's messages are taken over after this.")
    embedding_threads: int = Field(
        default=1, ge=1, le=16,
        description="CPU threads for the knowledge embedding model (1 keeps search latency steady on a busy machine).")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'liveassist.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
