"""A stream of commands, as careful clients send them, while a fault is injected.

Each command (register a village) carries an idempotency key; a client retries the same
request on 503 (after Retry-After, capped to keep the test short) and on connection errors
or timeouts, whose outcome it cannot know, until it is acknowledged. Every other answer
is recorded as unexpected: the test fails on any.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from shared.reference.places import DISTRICTS as PLACES
from tests.support.villages import village_body

DISTRICTS = tuple(PLACES)
COMMAND_DEADLINE = 120.0  # a command not acknowledged within this is abandoned (and fails the test)
RETRY_AFTER_CAP = 1.0


@dataclass
class StreamFigures:
    sent: int = 0  # distinct commands
    attempts: int = 0  # HTTP requests tried, retries included
    acknowledged: dict[str, int] = field(default_factory=dict)  # code → first success status
    replayed: int = 0  # acknowledged by a retry answered from the idempotency record
    unavailable: int = 0  # 503 answers
    unavailable_without_retry_after: int = 0
    connection_errors: int = 0
    unexpected: Counter = field(default_factory=Counter)  # status → count (500s, 4xx...)
    abandoned: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "commands_sent": self.sent,
            "requests_tried": self.attempts,
            "acknowledged": len(self.acknowledged),
            "acknowledged_by_replay": self.replayed,
            "503_seen": self.unavailable,
            "503_without_retry_after": self.unavailable_without_retry_after,
            "connection_errors_seen": self.connection_errors,
            "unexpected_answers": dict(self.unexpected),
            "abandoned": len(self.abandoned),
        }


class CommandStream:
    def __init__(self, url: str, headers: dict[str, str], *, clients: int = 2, pause: float = 0.08):
        self.url = url
        self.headers = headers
        self.clients = clients
        self.pause = pause
        self.figures = StreamFigures()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._districts = itertools.cycle(DISTRICTS)

    def start(self) -> CommandStream:
        self._tasks = [asyncio.create_task(self._client()) for _ in range(self.clients)]
        return self

    async def wait_acknowledged(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.figures.acknowledged) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(self.figures.acknowledged)} of {count} commands acknowledged")
            await asyncio.sleep(0.05)

    async def stop(self) -> StreamFigures:
        """Send no new command; let those in flight finish (acknowledged or abandoned)."""
        self._stop.set()
        await asyncio.gather(*self._tasks)
        return self.figures

    async def _client(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=5.0) as client:
            while not self._stop.is_set():
                await self._command(client, village_body(next(self._districts)))
                await asyncio.sleep(self.pause)

    async def _command(self, client: httpx.AsyncClient, body: dict) -> None:
        f = self.figures
        f.sent += 1
        f.codes.append(body["code"])
        headers = {"Idempotency-Key": f"fault-{body['code']}"}
        deadline = time.monotonic() + COMMAND_DEADLINE
        retried = False
        while time.monotonic() < deadline:
            f.attempts += 1
            try:
                r = await client.post("/villages", json=body, headers=headers)
            except httpx.TransportError:  # refused, reset, timed out: outcome unknown, retry
                f.connection_errors += 1
                retried = True
                await asyncio.sleep(0.2)
                continue
            if r.status_code in (200, 201):
                f.acknowledged[body["code"]] = r.status_code
                f.replayed += r.status_code == 200
                return
            if r.status_code == 503:
                f.unavailable += 1
                retried = True
                wait = r.headers.get("Retry-After")
                if wait is None:
                    f.unavailable_without_retry_after += 1
                await asyncio.sleep(min(float(wait or 1), RETRY_AFTER_CAP))
                continue
            if r.status_code == 409 and retried:
                # Only possible if a retry were not recognised as one: a half-seen command.
                f.unexpected["409 on retry"] += 1
                return
            f.unexpected[f"{r.status_code} {r.text[:200]}"] += 1
            return
        f.abandoned.append(body["code"])
