"""What publicity's routes depend on: the pool, who may write, the command runner."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException

from shared.http.auth import Principal, Role, require
from shared.http.commands import runner_type
from shared.http.deps import get_pool

from services.publicity.handlers import COMMANDS

Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
Run = runner_type(COMMANDS)
# Reports and images are written by those who know the village: district officials, units and
# first secretaries (and the city office, as always); notices and reviews by the city office alone.
Author = Annotated[Principal, Depends(require(Role.district_official, Role.unit, Role.first_secretary))]
CityOffice = Annotated[Principal, Depends(require())]


def not_found(where: list[str], msg: str) -> HTTPException:
    """The project's error shape for a 404: the field, the type, the message in Chinese and English."""
    return HTTPException(404, detail=[{"loc": where, "type": "not_found", "msg": msg}])
