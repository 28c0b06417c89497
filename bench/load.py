"""Commands offered by a load generator that is not Python: vegeta (Go, from its module proxy
at setup: ``make bench-tools``).

On two cores a Python client (httpx on asyncio) is the first thing to saturate: measured closed
loop it answered 37–72 commands a second to an API that serves 2,000 to wrk, and at 2.5× its
own capacity it queued the requests itself, so the API's admission control never saw the
excess. vegeta keeps a constant rate whatever the server does (open loop) or a fixed number of
workers (closed loop, ``rate=None``), and reports every answer: when it was sent, how long it
took, its status and headers.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import orjson

from bench.stack import BenchStack
from shared.config import REPO_ROOT
from shared.http.auth import Principal, Role, issue_token

DRAIN = 30.0  # seconds after the last command that its effect may still take to arrive

PINNED = REPO_ROOT / "build" / "tools" / "bin" / "vegeta"  # the version `make bench-tools` installs (git-ignored)


def vegeta() -> str:
    found = str(PINNED) if PINNED.exists() else shutil.which("vegeta")
    if found is None:
        raise RuntimeError("缺少 vegeta / vegeta is missing: `make bench-tools`")
    return found


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def village_body(code: str) -> dict[str, str]:
    """``POST /villages``'s body for a new village of the benchmark's district."""
    return {"code": code, "name": "基准村", "district": "120119", "town": "基准镇", "village_type": "agriculture",
            "income_2018": "1.00", "income_2019": "1.00", "income_2020": "1.00"}


@dataclass(frozen=True)
class Answer:
    """One command's answer: ``sent`` in seconds since the epoch, ``latency`` in seconds."""

    key: str | None  # the village code the answer's body names (a 2xx), else None
    status: int
    sent: float
    latency: float
    retry_after: bool
    error: str
    # A refusal's cause, from the values its answer carries: "in flight" (the API's limit of
    # commands in progress) or "backlog" (the figures behind); "" for any other answer.
    refused_by: str = ""

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def refused(self) -> bool:  # turned away at once by admission control
        return self.status == 503 and self.retry_after


def _targets(path: Path, url: str, token: str, bodies: Iterable[tuple[str, dict]]) -> None:
    """vegeta's JSON target format, one line per command, each with its own idempotency key."""
    with path.open("wb") as out:
        for key, body in bodies:
            out.write(orjson.dumps({
                "method": "POST", "url": url, "body": base64.b64encode(orjson.dumps(body)).decode(),
                "header": {"Authorization": [f"Bearer {token}"], "Content-Type": ["application/json"],
                           "Idempotency-Key": [f"load-{key}"]},
            }) + b"\n")


def _answer(line: bytes) -> Answer:
    r = orjson.loads(line)
    key, refused_by = None, ""
    if 200 <= r["code"] < 300 and r.get("body"):
        key = orjson.loads(base64.b64decode(r["body"])).get("code")
    elif r["code"] == 503 and r.get("body"):
        context = orjson.loads(base64.b64decode(r["body"]))["detail"][0].get("ctx", {})
        refused_by = "in flight" if "limit" in context else "backlog" if "backlog_seconds" in context else ""
    sent = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp()  # digits past µs dropped
    return Answer(key, r["code"], sent, r["latency"] / 1e9, bool((r.get("headers") or {}).get("Retry-After")),
                  r.get("error", ""), refused_by)


async def attack(url: str, token: str, bodies: Iterable[tuple[str, dict]], *, seconds: float, workers: int,
                 rate: float | None = None, on_answer: Callable[[Answer], None] = lambda a: None) -> list[Answer]:
    """POST each body to ``url`` for ``seconds``: at ``rate`` a second with at most ``workers``
    requests on the wire (open loop), or, without a rate, as fast as ``workers`` clients each
    sending its next when the last is answered (closed loop). ``on_answer`` sees each answer as
    it arrives (the read model's watcher starts waiting for it then)."""
    exe = vegeta()
    with tempfile.TemporaryDirectory(prefix="xingcun-load-") as tmp:
        targets = Path(tmp) / "targets.json"
        _targets(targets, url, token, bodies)
        pace = [f"-rate={max(1, round(rate * 10))}/10s"] if rate else ["-rate=0"]  # vegeta takes whole numbers
        read_end, write_end = os.pipe()
        attacker = await asyncio.create_subprocess_exec(
            exe, "attack", "-format=json", f"-targets={targets}", "-lazy", f"-duration={seconds:.3f}s",
            f"-workers={workers}", f"-max-workers={workers}", "-timeout=30s", *pace,
            stdout=write_end, stderr=asyncio.subprocess.PIPE)
        encoder = await asyncio.create_subprocess_exec(
            exe, "encode", "--to", "json", stdin=read_end, stdout=asyncio.subprocess.PIPE)
        os.close(read_end)
        os.close(write_end)
        answers = []
        try:
            async for line in encoder.stdout:
                answers.append(answer := _answer(line))
                on_answer(answer)
            _, errors = await attacker.communicate()
            await encoder.wait()
        except BaseException:
            for proc in (attacker, encoder):
                if proc.returncode is None:
                    proc.kill()
            raise
        if attacker.returncode:
            raise RuntimeError(f"vegeta attack failed ({attacker.returncode}): {errors.decode()[-2000:]}")
        return answers


class Arrivals:
    """When each accepted command's village appears in publicity's read model: polled every
    2 ms, so a latency includes up to 2 ms of polling."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.pending: dict[str, float] = {}  # village code → when its command was sent (epoch s)
        self.latencies: dict[str, float] = {}
        self.last_seen = 0.0

    def expect(self, code: str, sent: float) -> None:
        self.pending[code] = sent

    def forget(self, code: str) -> None:  # refused or failed: it will never arrive
        self.pending.pop(code, None)

    async def watch(self, done: asyncio.Event, drain: float) -> None:
        """Until ``done`` and nothing is pending, or ``drain`` seconds after ``done``."""
        conn = await asyncpg.connect(self.dsn)
        try:
            async with asyncio.timeout(None) as limit:
                while not done.is_set() or self.pending:
                    if done.is_set() and limit.when() is None:
                        limit.reschedule(asyncio.get_running_loop().time() + drain)
                    if self.pending:
                        rows = await conn.fetch("select code from stats.villages where code = any($1)",
                                                list(self.pending))
                        now = time.time()
                        for r in rows:
                            # Forgotten while the query ran (answered too late, or not at all,
                            # and counted as failed), yet its effect arrived: not a latency.
                            if (sent := self.pending.pop(r["code"], None)) is not None:
                                self.latencies[r["code"]] = now - sent
                            self.last_seen = now
                    await asyncio.sleep(0.002)
        except TimeoutError:
            pass  # what never arrived stays pending: the caller counts it
        finally:
            await conn.close()


class Run:
    """One load run's answers and arrivals."""

    def __init__(self, stack: BenchStack):
        self.arrivals = Arrivals(stack.settings.dsn("publicity"))
        self.answers: list[Answer] = []

    def on_answer(self, answer: Answer) -> None:
        self.answers.append(answer)
        if answer.accepted and answer.key:
            self.arrivals.expect(answer.key, answer.sent)

    @property
    def accepted(self) -> list[Answer]:
        return [a for a in self.answers if a.accepted]

    @property
    def refused(self) -> list[Answer]:
        return [a for a in self.answers if a.refused]

    @property
    def failed(self) -> int:
        return len(self.answers) - len(self.accepted) - len(self.refused) + len(self.arrivals.pending)

    def through_rate(self) -> float:
        """Accepted commands in the read model per second, first sent → last arrived."""
        if not self.arrivals.latencies:
            return 0.0
        first = min(a.sent for a in self.answers)
        return len(self.arrivals.latencies) / (self.arrivals.last_seen - first)

    def answer_rate(self) -> float:
        if not self.accepted:
            return 0.0
        first = min(a.sent for a in self.answers)
        return len(self.accepted) / (max(a.sent + a.latency for a in self.accepted) - first)


async def offer(stack: BenchStack, seconds: float, serial: int, *, rate: float | None, workers: int) -> Run:
    """New villages registered through registry's API by vegeta for ``seconds`` (open loop at
    ``rate``, or closed loop), each watched until it is in publicity's read model."""
    token = issue_token(stack.settings, Principal(subject="bench", role=Role.city_office))
    run = Run(stack)
    # Enough commands for the run at any rate this machine could reach (each one a new village).
    budget = int((rate or 4_000) * seconds * 1.2) + 100
    bodies = ((code, village_body(code)) for code in (f"120119{(serial + i) % 1_000_000:06d}" for i in range(budget)))
    done = asyncio.Event()
    watcher = asyncio.create_task(run.arrivals.watch(done, DRAIN))
    try:
        await attack(stack.url("registry") + "/villages", token, bodies, seconds=seconds, workers=workers,
                     rate=rate, on_answer=run.on_answer)
    finally:
        done.set()
        await watcher
    return run
