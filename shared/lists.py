"""Rules on a command's lists that several services share."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from pydantic import AfterValidator

T = TypeVar("T", bound=Sequence[Hashable])


def no_repeats(message: str) -> AfterValidator:
    """A list field whose items are each given once; ``message`` (Chinese / English) says which list."""

    def check(value: T) -> T:
        if value is not None and len(set(value)) != len(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)
