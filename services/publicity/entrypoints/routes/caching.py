"""Statistics answers served from the answer cache, validated by ``ETag`` / ``If-None-Match``.

Per request: one small query for what the read models have applied (shared by concurrent
requests, ``Coalesced``), then the answer kept for (that state, this request) or computed
once for everyone asking. The key is the path, every query parameter, the reader (a request
with credentials never shares an entry with another reader) and, for an answer "as of now",
the calendar day (due dates and validity periods count by day).

"As of now" is restated per request: the cached answer's figures are those of the instant
asked for as long as no fact has a business time between the instant it was computed at and
this one. Facts are dated by their events' business time, which can lie in the future (a
command's ``X-Occurred-At``); the process tracks the latest business time applied
(``business_horizon``, read incrementally from the change feed), and an answer is kept only
when every fact applied lies before its cut-off. The ETag is weak: the as-of fields differ
from one instant to the next, the figures do not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import asyncpg
import orjson
from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder

from shared.dates import today as programme_today

from services.publicity.adapters.answer_cache import AnswerCache, Coalesced
from services.publicity.domain.asof import AsOf, parse_as_of
from services.publicity.projections import PROJECTIONS
from services.publicity.queries.facts_sql import as_known_at
from services.publicity.queries.positions import applied_state, business_horizon
from services.publicity.queries.timeline import KeptPoints

READ_MODELS = [p.name for p in PROJECTIONS]
AS_OF_TOKEN = "\ue000as_of\ue000"  # stands for the as-of text in a cached CSV or XML body (private use)
CACHE_CONTROL = "public, no-cache"  # keep it, but ask us (If-None-Match) before using it again


def render_json(content) -> bytes:
    """Exactly FastAPI's own rendering of a returned dict (jsonable_encoder, then JSONResponse)."""
    return json.dumps(jsonable_encoder(content), ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


def as_of_head(asof: AsOf) -> bytes:
    """``render_json(asof.to_json())`` without its closing brace, made for every request as of now:
    three strings, which orjson writes byte for byte as ``render_json`` does, in a tenth of its time."""
    return orjson.dumps(asof.to_json())[:-1]


@dataclass(frozen=True)
class Rendered:
    """A rendered answer. ``restate``: how an answer as of now is restated for a later instant —
    ``"json"``: ``body`` is what follows the as-of fields; ``"token"``: ``AS_OF_TOKEN`` stands
    for the as-of text in the body; either way it stands for it in the headers. ``None``: as it is."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    restate: str | None = None

    def response(self, asof: AsOf | None, etag: str | None) -> Response:
        body = self.body
        headers = dict(self.headers)
        if self.restate == "json":
            body = as_of_head(asof) + (b"," + body[1:] if body != b"{}" else b"}")
        elif self.restate == "token":
            body = body.replace(AS_OF_TOKEN.encode(), asof.text.encode())
        if self.restate:
            headers = {k: v.replace(AS_OF_TOKEN, asof.text) for k, v in headers.items()}
        if etag:
            headers |= {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        return Response(body, media_type=self.media_type, headers=headers)


def json_answer(content: dict, restate: bool, headers: dict[str, str] | None = None) -> Rendered:
    """``content`` as FastAPI would send it; if ``restate``, it begins with the as-of fields."""
    body = render_json(content)
    if restate:
        head = render_json({k: content[k] for k in ("as_of", "cutoff", "day")})[:-1]
        assert body.startswith(head), "an answer as of now begins with its as-of fields"
        body = b"{" + body[len(head) + 1:] if len(body) > len(head) + 1 else b"{}"
    return Rendered(body, "application/json", tuple((headers or {}).items()), "json" if restate else None)


class Horizon:
    """The latest business time of any fact applied, read incrementally from the change feed."""

    def __init__(self) -> None:
        self.seq = 0
        self.latest: datetime | None = None

    async def advance(self, conn: asyncpg.Connection) -> datetime | None:
        seq, latest = await business_horizon(conn, self.seq)
        self.seq = max(self.seq, seq)
        if latest is not None and (self.latest is None or latest > self.latest):
            self.latest = latest
        return self.latest

    def before(self, cutoff: datetime) -> bool:
        return self.latest is None or self.latest < cutoff


class Answers:
    """The process's answer cache, its state reader and horizon, and the timelines' points long
    past (one per API process)."""

    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool
        self.cache = AnswerCache()
        self.horizon = Horizon()
        self.points = KeptPoints()
        self.state = Coalesced(self._read_state)

    async def _read_state(self) -> str:
        async with self.pool.acquire() as conn:
            return _digest(await applied_state(conn, READ_MODELS))


def answers_of(request: Request) -> Answers:
    state = request.app.state
    found = getattr(state, "answers", None)
    if found is None:
        found = state.answers = Answers(state.store.pool)
    return found


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def request_key(request: Request, asof: AsOf | None, now: bool, today: date | None = None) -> tuple:
    return _keyed(_asked(request), asof, now, today)


def _asked(request: Request) -> tuple:
    """What the request asks, as far as an answer depends on it: path, parameters, reader."""
    reader = request.headers.get("authorization")
    # By name only: the sort keeps repeated values in their order, and a route reads the last.
    return (request.url.path, tuple(sorted(request.query_params.multi_items(), key=_name)),
            _digest(reader) if reader else "public")


def _keyed(asked: tuple, asof: AsOf | None, now: bool, today: date | None) -> tuple:
    return (*asked, asof.day.isoformat() if now and asof else None, (today,) if today else ())


def _name(item: tuple[str, str]) -> str:
    return item[0]


def _etag(state: str, key: tuple) -> str:
    return f'W/"{_digest(state + repr(key))}"'


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


Render = Callable[[asyncpg.Connection, AsOf | None], Awaitable[Rendered]]


async def cached(request: Request, render: Render, *, asof: AsOf | None, now: bool,
                 today: date | None = None) -> Response:
    """The answer for this request, from the cache or computed once in one repeatable-read snapshot.

    ``now``: the answer is as of the request's instant (``asof``), restated for later instants.
    ``today``: the answer depends on today's date (a default resolved from the clock) besides
    the request's parameters. ``render`` reads in the snapshot it is given.
    """
    answers = answers_of(request)
    state = await answers.state()
    answers.cache.observe(state)
    key = request_key(request, asof, now, today)
    etag = _etag(state, key)
    if _matches(request, etag):
        return _not_modified(etag)
    if now and not answers.horizon.before(asof.cutoff):
        # Facts dated after the last instant known to be clear: compute for this instant alone.
        async with snapshot(answers.pool, asof) as conn:
            await answers.horizon.advance(conn)
            return (await render(conn, asof)).response(asof, None)

    async def fill() -> tuple[str, object, int | None]:
        async with snapshot(answers.pool, asof) as conn:
            its_state = _digest(await applied_state(conn, READ_MODELS))
            clear = True
            if now:
                await answers.horizon.advance(conn)
                clear = answers.horizon.before(asof.cutoff)
            rendered = await render(conn, _display(asof) if now and clear else asof)
        if not clear:  # served once, as of the instant it was computed for, and not kept
            return its_state, (rendered, asof, None), None
        return its_state, (rendered, None, _etag(its_state, key)), len(rendered.body) + 512

    rendered, fixed_asof, its_etag = await answers.cache.get_or_fill(state, key, fill)
    return rendered.response(fixed_asof or asof, its_etag)


def _not_modified(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})


async def kept_response(request: Request) -> Response | None:
    """What ``cached`` sends for a GET whose answer is kept for the current state, found without
    the route; ``None`` when only the route can answer (nothing kept, the state moved, a fact
    dated after the instant asked, an error): ``KeptAnswers`` then lets the route run.

    The route is not needed: an entry exists only for a request that passed the route's
    validation with the same key (path, every query parameter, the reader: what validation
    reads), and its key tells how ``cached`` was called — a day in it (``now``) or none, and
    today's date or not (``today``: kept under today's, it is what the route resolves today).
    Checked in the order ``cached`` checks, with its functions.
    """
    answers = getattr(request.app.state, "answers", None)
    if answers is None or "authorization" in request.headers:
        # Credentials are checked by the route on every request: a token that expired or was
        # revoked since its answer was kept must not read it again.
        return None
    cache = answers.cache
    asked = _asked(request)
    # A request "as of now" to a route that ignores ``as_of`` is kept without a day: try each.
    asof = parse_as_of(None, datetime.now(UTC)) if asked_now(request) else None
    keys = [(_keyed(asked, asof, True, None), True)] if asof else []
    keys += [(_keyed(asked, None, False, None), False), (_keyed(asked, None, False, programme_today()), False)]
    # Nothing kept under the latest state observed: the route's to fill, without a state read here.
    found = next(((key, now) for key, now in keys if cache.holds(key)), None)
    if found is None:
        return None
    key, now = found
    try:
        state = await answers.state()
    except Exception:  # noqa: BLE001 — the route reads it again and answers the error its own way
        return None
    cache.observe(state)
    etag = _etag(state, key)
    if _matches(request, etag):
        return _not_modified(etag)
    if now and not answers.horizon.before(asof.cutoff):
        return None
    kept = cache.get(state, key)
    if kept is None:
        return None
    rendered, fixed_asof, its_etag = kept
    return rendered.response(fixed_asof or asof, its_etag)


def asked_now(request: Request) -> bool:
    """Whether the request asked for "now" (no ``as_of``): its answer is restated for each instant."""
    return not (request.query_params.get("as_of") or "").strip()


def _display(asof: AsOf) -> AsOf:
    """The as-of the body of a restatable CSV or XML answer is rendered with (its text a token)."""
    return replace(asof, text=AS_OF_TOKEN)


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool, asof: AsOf | None = None) -> AsyncIterator[asyncpg.Connection]:
    """One repeatable-read transaction: the figures and the positions they state agree; with
    ``asof.known``, only the facts known at those positions count."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield as_known_at(conn, asof.known) if asof is not None else conn
