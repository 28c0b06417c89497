"""The one strict date type of every request (issue 18, item 7).

pydantic's ``date`` also takes a number as seconds since 1970, so a body ``{"day": 20210101}``
logged presence on 1970-08-23 and ``{"deadline": 0}`` set a deadline of 1970-01-01. Every
date or time a caller sends is declared with ``IsoDate`` / ``IsoDateTime``: ISO 8601 text
only. Pure (pydantic alone): the services' domain models import it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import BeforeValidator, model_validator

BEIJING = timezone(timedelta(hours=8))  # the programme's calendar


def today(now: datetime | None = None) -> date:
    """The programme's day now (Tianjin's calendar), whatever the server's zone: a server on UTC
    is still on the day before from midnight to 8 a.m. in Tianjin."""
    return (now or datetime.now(BEIJING)).astimezone(BEIJING).date()

_ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}")


def iso_8601_only(value: object) -> object:
    """Dates and times only as ISO 8601 text (a ``date`` object from Python code passes)."""
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or not _ISO_8601.match(value):
        raise ValueError("需为 ISO 8601 格式，如 2023-06-30 或 2023-06-30T08:00:00+08:00 / "
                         "expected ISO 8601, e.g. 2023-06-30 or 2023-06-30T08:00:00+08:00")
    return value


IsoDate = Annotated[date, BeforeValidator(iso_8601_only)]
IsoDateTime = Annotated[datetime, BeforeValidator(iso_8601_only)]


def in_order(first: str, last: str, message: str):
    """A model's period, its ``last`` day not before its ``first`` (the same day allowed): in the
    class body, ``ordered = in_order("valid_from", "valid_to", "…")``. Declared before the
    model's other validators it runs first, so a reversed period is said as such."""

    def ordered(model):
        if getattr(model, last) < getattr(model, first):
            raise ValueError(message)
        return model

    return model_validator(mode="after")(ordered)
