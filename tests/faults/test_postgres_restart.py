"""PostgreSQL restarted (fast shutdown: open transactions roll back) while commands flow."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.stack import restart_postgres
from tests.faults.conftest import settle_and_check

pytestmark = pytest.mark.e2e


async def test_postgres_restarted(private, fault_stack, stream):
    await stream.wait_acknowledged(10)
    started = time.monotonic()
    await asyncio.to_thread(restart_postgres, private)
    back = time.monotonic()
    await stream.wait_acknowledged(len(stream.figures.acknowledged) + 10)  # and it takes commands again
    await settle_and_check("postgres_restart", private, fault_stack, stream, fault_ended=back,
                           restart_s=round(back - started, 1))
