"""The driver's HTTP side: bearer tokens per user, business dates, idempotency keys,
bounded concurrency, and retries that tell a passing hiccup from a real refusal.

Two kinds of retry:
- transient: the connection failed or a 5xx (a service restarting, the database away) — the
  same request again with the same idempotency key until ``transient_timeout`` passes, after
  the answer's Retry-After when it has one (a service shedding load says when to come back;
  sooner only meets the same refusal), else after a growing pause; or a
  409 — another writer moved the stream or took a constraint row first (a unit joining two
  teams at once) — again a few times: a conflict that persists is reported;
- eventual (the caller asks for it): 404/422 because another service's events have not
  arrived yet (funding has not yet heard of a designation, a tranche not yet released) —
  asked again until ``eventual_timeout`` passes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import aiohttp

from shared.config import Settings
from shared.http.auth import Principal, Role, issue_token

from scenario import calendar

TRANSIENT = {502, 503, 504}
# A connection refused, reset or closed before the answer, or no answer in time: the same
# request again (it carries its idempotency key).
TRANSPORT = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError)


@dataclass(frozen=True)
class Answer:
    """A response, read whole: its status and body, and when the server asked to be tried again."""
    status_code: int
    content: bytes
    retry_after: str | None = None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> dict:
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise AnswerError(self.status_code, self.text[:500])


class AnswerError(RuntimeError):
    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After's delay in seconds; None for none, or for the HTTP-date form no service sends."""
    try:
        seconds = float(retry_after)
    except (TypeError, ValueError):
        return None
    return seconds if 0 <= seconds < float("inf") else None


def _query(params: dict | None) -> dict[str, str] | None:
    """yarl takes str and int values only: Decimal and the rest as their text."""
    return None if params is None else {k: v if isinstance(v, str | int) and not isinstance(v, bool) else str(v)
                                        for k, v in params.items()}


@dataclass
class Failure:
    stage: str
    key: str
    status: int
    detail: str


@dataclass
class Tally:
    by_stage: dict[str, Counter] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def count(self, stage: str, what: str) -> None:
        self.by_stage.setdefault(stage, Counter())[what] += 1


class Api:
    def __init__(self, settings: Settings, urls: dict[str, str], seed: int, concurrency: int = 24,
                 eventual_timeout: float = 180.0, transient_timeout: float = 180.0):
        self.settings = settings
        self.urls = urls
        self.seed = seed
        self.concurrency = concurrency
        self.eventual_timeout = eventual_timeout
        self.transient_timeout = transient_timeout
        self.tally = Tally()
        self._tokens: dict[tuple, str] = {}
        self._session: aiohttp.ClientSession | None = None
        self._jitter = random.Random(seed)  # only spaces out retries; never decides what happens
        self._sleep = asyncio.sleep
        self.advance: Callable[[str], None] = lambda stage: None  # the progress bar's hook

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        """aiohttp rather than httpx: the driver shares two cores with the eight processes it
        drives, and httpx's pool spends several times aiohttp's CPU on each request (it checks
        every pooled connection's socket per request), which made the driver the bottleneck.
        Opened inside the running loop, on first use."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=120),
                connector=aiohttp.TCPConnector(limit=self.concurrency * 2))
        return self._session

    async def _send(self, method: str, url: str, *, json: dict | None = None, files: dict | None = None,
                    headers: dict[str, str], params: dict | None = None) -> Answer:
        data = None
        if files is not None:
            data = aiohttp.FormData()
            for field_name, (filename, content, content_type) in files.items():
                data.add_field(field_name, content, filename=filename, content_type=content_type)
        async with self.session.request(method, url, json=json, data=data, headers=headers,
                                        params=_query(params)) as r:
            return Answer(r.status, await r.read(), r.headers.get("Retry-After"))

    def auth(self, role: Role, subject: str, **scope: str | None) -> dict[str, str]:
        key = (role, subject, tuple(sorted(scope.items())))
        if key not in self._tokens:
            principal = Principal(subject=subject, role=role, **scope)
            self._tokens[key] = issue_token(self.settings, principal, ttl_seconds=24 * 3600)
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def key(self, *parts: object) -> str:
        """A deterministic idempotency key: the same fact gets the same key on every run."""
        text = ":".join([f"tj{self.seed}", *map(str, parts)])
        return text if text.isascii() and len(text) <= 200 else f"tj{self.seed}:" + hashlib.sha256(text.encode()).hexdigest()

    async def command(
        self, stage: str, service: str, path: str, body: dict | None, *, who: dict[str, str], key: str,
        on: date | datetime | None = None, eventual: bool | tuple[int, ...] = False, files: dict | None = None,
        params: dict | None = None, method: str = "POST",
    ) -> dict | None:
        """Send once (retrying as above); the answer's JSON, or None after recording a failure.
        ``eventual``: True for 404/409/422, or the statuses that mean "not arrived yet"."""
        waits_on = (404, 409, 422) if eventual is True else eventual or ()
        headers = dict(who) | {"Idempotency-Key": key}
        if on is not None:
            headers["X-Occurred-At"] = (calendar.at(on) if isinstance(on, date) and not isinstance(on, datetime)
                                        else on).isoformat()
        url = self.urls[service] + path
        deadline = time.monotonic() + self.eventual_timeout
        unavailable_until = time.monotonic() + self.transient_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                r = await self._send(method, url, json=body if files is None else None, files=files, headers=headers,
                                     params=params)
            except TRANSPORT as exc:
                if time.monotonic() < unavailable_until:
                    await self._pause(attempt, unavailable_until)
                    continue
                return self.fail(stage, key, 0, f"{type(exc).__name__}: {exc}")
            if r.status_code < 300:
                self.tally.count(stage, "created" if r.status_code == 201 else "ok")
                self.advance(stage)
                return r.json()
            if (r.status_code in TRANSIENT and time.monotonic() < unavailable_until) or (
                    r.status_code == 409 and attempt < 8):
                await self._pause(attempt, unavailable_until, r.retry_after)
                continue
            if r.status_code in waits_on and time.monotonic() < deadline:
                self.tally.count(stage, "waited")
                await self._sleep(min(0.25 * attempt, 3.0))
                continue
            return self.fail(stage, key, r.status_code, r.text[:500])

    async def get(self, service: str, path: str, params: dict | None = None, who: dict[str, str] | None = None) -> dict:
        unavailable_until = time.monotonic() + self.transient_timeout
        attempt = 0
        while True:
            attempt += 1
            last_chance = time.monotonic() >= unavailable_until
            retry_after = None
            try:
                r = await self._send("GET", self.urls[service] + path, params=params, headers=who or {})
            except TRANSPORT:
                if last_chance:
                    raise
            else:
                if r.status_code not in TRANSIENT or last_chance:
                    r.raise_for_status()
                    return r.json()
                retry_after = r.retry_after
            await self._pause(attempt, unavailable_until, retry_after)

    async def _pause(self, attempt: int, until: float, retry_after: str | None = None) -> None:
        """The server's Retry-After (in seconds; a little later, so refused clients do not all
        come back at once), never past ``until``, when the retries end; else a growing pause."""
        asked = _seconds(retry_after)
        if asked is None:
            await self._sleep(min(0.05 * 2 ** attempt, 3.0) * (0.5 + self._jitter.random()))
        else:
            await self._sleep(max(0.0, min(asked * (1 + 0.1 * self._jitter.random()), until - time.monotonic())))

    def fail(self, stage: str, key: str, status: int, detail: str) -> None:
        """Count a failure of ``stage``: shown at the end, and the run exits non-zero."""
        self.tally.count(stage, "failed")
        self.advance(stage)
        self.tally.failures.append(Failure(stage, key, status, detail))
        return None

