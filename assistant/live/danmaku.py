"""One chat message as a platform connector sends it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Danmaku(BaseModel):
    """A viewer's (or the host's) chat message. Unknown fields are ignored, so connectors may send more."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    platform: str = Field(default="unknown", max_length=32)
    user_id: str = Field(min_length=1, max_length=128)
    nickname: str | None = Field(default=None, max_length=64)
    text: str = Field(max_length=20_000)
    time: dt.datetime | None = None
    """When the viewer sent it (the platform's clock); lateness is measured from here."""
    role: Literal["viewer", "host", "assistant"] = "viewer"
    """host/assistant: a person in the room speaking; the bot stands down on whom they answer."""

    @field_validator("user_id")
    @classmethod
    def _qualified(cls, value: str) -> str:
        return value.strip()

    def sent_at(self, fallback: dt.datetime) -> dt.datetime:
        if self.time is None:
            return fallback
        return self.time if self.time.tzinfo else self.time.replace(tzinfo=dt.UTC)
