"""Checks a command makes of itself, written once for every service's commands."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator


def at_least_one(*fields: str, message: str) -> Any:
    """A model validator for a command that changes some of ``fields``: one that leaves every
    one of them out would change nothing, and is refused with ``message`` (Chinese, then English).
    In the class body: ``something = at_least_one("title", "due_on", message="...")``."""

    def something(model: BaseModel) -> BaseModel:
        if all(getattr(model, field) is None for field in fields):
            raise ValueError(message)
        return model

    return model_validator(mode="after")(something)
