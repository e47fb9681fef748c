"""Dependencies the routers ask for; tests override them with ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from assistant.config import Settings
from assistant.pipeline import Assistant


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
