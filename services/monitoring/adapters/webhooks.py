"""The webhook dispatcher: each alert event, to every subscription that wants it and whose
owner may see it, POSTed as a CloudEvent (HTTP binding, binary mode: ``ce-id`` is the
event's id, for the receiver's de-duplication), signed (``domain/webhooks.py``).

At least once and in order per subscription: a subscription's cursor moves past an event
only when its receiver answered 2xx (or the event is not for it). A failure is recorded,
and the same event is tried again after an exponential backoff with full jitter; nothing
after it is sent before it. After ``max_failures`` consecutive failures the subscription is
paused; the pause's operations alert is raised through ``on_paused`` and cleared through
``on_resumed`` once an official resumes it. Both hooks are retried on every pass until they
succeed (their episode number makes them idempotent), so a crash between the pause and the
alert loses neither.

Several worker replicas may run one each: a subscription is leased to one dispatcher at a
time (``leased_until``). Backoff runs on the database's clock: delivery is IO, not a fact
a replay must reproduce.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import structlog
from cloudevents.core.bindings.http import to_binary_event
from cloudevents.core.v1.event import CloudEvent

from shared.eventstore.errors import Forbidden

from services.monitoring.adapters.alert_log import read_after
from services.monitoring.adapters.scopes import scope_of
from services.monitoring.adapters.subscriptions import owner_of, record_attempt, secret_of
from services.monitoring.domain.webhooks import (SIGNATURE_HEADER, TIMESTAMP_HEADER, Backoff, Filters, Subscriber,
                                                 event_type, signature)

log = structlog.get_logger("xingcun.monitoring.webhooks")

SOURCE = "/xingcun/monitoring"
OnPaused = Callable[[str, str, int], Awaitable[Any]]  # (subscription_id, episode, failures)
OnResumed = Callable[[str, str], Awaitable[Any]]  # (subscription_id, episode)


def message(entry: dict) -> dict:
    """What a subscriber is sent about one alert event (the SSE stream sends the same)."""
    return {"position": entry["position"], "event_id": entry["event_id"], "type": entry["type"],
            "alert_id": entry["alert_id"], "rule_id": entry["rule_id"], "severity": entry["severity"],
            "district": entry["district"], "village_code": entry["village_code"], "team_id": entry["team_id"],
            "audience": entry["audience"], "recorded_at": entry["recorded_at"].isoformat(),
            "event": entry["payload"]}


def cloud_event(entry: dict) -> tuple[dict[str, str], bytes]:
    """Headers and body of the CloudEvent for ``entry``, binary mode (data = ``message``)."""
    event = CloudEvent(attributes={
        "id": entry["event_id"], "source": SOURCE, "specversion": "1.0",
        "type": event_type(entry["type"], entry.get("schema_version", 1)), "subject": entry["alert_id"],
        "time": entry["recorded_at"].astimezone(UTC), "datacontenttype": "application/json",
        # CloudEvents' sequence extension: the store's position, for ordering on the receiver's side.
        "sequence": str(entry["position"])}, data=message(entry))
    http = to_binary_event(event)
    return dict(http.headers), http.body


class WebhookDispatcher:
    def __init__(self, pool: asyncpg.Pool, *, on_paused: OnPaused | None = None, on_resumed: OnResumed | None = None,
                 max_failures: int = 8, backoff: Backoff = Backoff(base=1.0, cap=300.0), interval: float = 0.1,
                 timeout: float = 5.0, batch: int = 100, lease_seconds: int = 120,
                 client: httpx.AsyncClient | None = None):
        self.pool, self.on_paused, self.on_resumed = pool, on_paused, on_resumed
        self.max_failures, self.backoff, self.interval, self.batch = max_failures, backoff, interval, batch
        self.lease_seconds = lease_seconds
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._own_client = client is None
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Until ``stop``: one pass every ``interval`` (at once again when a pass did something)."""
        try:
            while not self._stopping.is_set():
                try:
                    busy = await self.tick()
                except (asyncpg.PostgresError, OSError) as exc:  # database away for a moment
                    log.warning("webhook_pass_failed", error=repr(exc))
                    busy = 0
                if not busy:
                    try:
                        await asyncio.wait_for(self._stopping.wait(), self.interval)
                    except TimeoutError:
                        pass
        finally:
            if self._own_client:
                await self._client.aclose()

    def stop(self) -> None:
        self._stopping.set()

    async def tick(self) -> int:
        """One pass: settle the pause alerts, then serve every due subscription. Events sent."""
        await self._settle_alerts()
        async with self.pool.acquire() as conn:
            due = await conn.fetch(
                """update monitoring.subscriptions s set leased_until = now() + make_interval(secs => $1)
                   where s.subscription_id in (
                       select subscription_id from monitoring.subscriptions
                       where state = 'active' and next_attempt_at <= now()
                         and (leased_until is null or leased_until < now())
                         and cursor < (select coalesce(max(position), 0) from es.log)
                       for update skip locked)
                   returning s.*""", self.lease_seconds)
        if not due:
            return 0
        sent = await asyncio.gather(*(self._serve(dict(row)) for row in due))
        return sum(sent)

    async def _serve(self, sub: dict) -> int:
        sid: UUID = sub["subscription_id"]
        cursor, failures, sent = sub["cursor"], sub["consecutive_failures"], 0
        paused, reason = False, None
        try:
            async with self.pool.acquire() as conn:
                try:
                    scope = await scope_of(conn, owner_of(sub))
                except Forbidden:  # the owner's claims no longer admit any alert: nothing is theirs
                    scope = None
                secret = await secret_of(conn, sub)
                entries = await read_after(conn, cursor, self.batch)
            filters = Filters(tuple(sub["rules"]), tuple(sub["severities"]), tuple(sub["districts"]))
            subscriber = Subscriber(filters, scope) if scope is not None else None
            # Within half the lease: past it another replica may take the subscription over.
            until = time.monotonic() + self.lease_seconds / 2
            if secret is None and entries:  # its key was destroyed: nothing can be signed, nothing is skipped
                entries, paused = [], True
                reason = "签名密钥已删除，请重新登记 / the signing secret was erased: register again"
            for entry in entries:
                if time.monotonic() > until:
                    break
                if subscriber is None or not subscriber.wants(entry):
                    cursor = entry["position"]
                    continue
                ok = await self._attempt(sid, sub["url"], secret, entry, failures + 1)
                if not ok:
                    failures += 1
                    paused = failures >= self.max_failures
                    reason = f"连续 {failures} 次投递失败 / {failures} consecutive delivery failures"
                    break
                cursor, failures, sent = entry["position"], 0, sent + 1
        finally:
            delay = self.backoff.delay(failures) if failures else 0.0
            async with self.pool.acquire() as conn:
                await conn.execute(
                    """update monitoring.subscriptions set cursor = $2, consecutive_failures = $3,
                           next_attempt_at = now() + make_interval(secs => $4), leased_until = null,
                           state = case when $5 then 'paused' else state end,
                           pauses = pauses + case when $5 then 1 else 0 end,
                           paused_reason = case when $5 then $6 else paused_reason end
                       where subscription_id = $1""",
                    sid, cursor, failures, delay, paused, reason)
        if paused:
            log.warning("webhook_subscription_paused", subscription_id=str(sid), failures=failures)
            await self._settle_alerts()
        return sent

    async def _attempt(self, sid: UUID, url: str, secret: str, entry: dict, attempt: int) -> bool:
        headers, body = cloud_event(entry)
        timestamp = int(time.time())
        headers |= {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}
        attempted_at = datetime.now(UTC)
        started = time.perf_counter()
        status_code = error = None
        try:
            response = await self._client.post(url, content=body, headers=headers)
            status_code = response.status_code
            ok = 200 <= status_code < 300
            if not ok:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
        duration_ms = int((time.perf_counter() - started) * 1000)
        async with self.pool.acquire() as conn:
            await record_attempt(conn, sid, entry, attempt, attempted_at, ok, status_code, error, duration_ms)
        return ok

    async def _settle_alerts(self) -> None:
        """Raise each pause episode's operations alert, clear it once resumed: until both hooks succeed."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                """select subscription_id, state, pauses, alerted_pauses, cleared_pauses, consecutive_failures
                   from monitoring.subscriptions
                   where (state = 'paused' and alerted_pauses < pauses)
                      or (state = 'active' and cleared_pauses < alerted_pauses)""")
        for row in rows:
            sid, episode = str(row["subscription_id"]), str(row["pauses"])
            try:
                if row["state"] == "paused":
                    if self.on_paused is not None:
                        await self.on_paused(sid, episode, row["consecutive_failures"])
                    column = "alerted_pauses"
                else:
                    if self.on_resumed is not None:
                        await self.on_resumed(sid, str(row["alerted_pauses"]))
                    column = "cleared_pauses"
            except Exception as exc:  # noqa: BLE001 — the next pass tries again
                log.warning("webhook_pause_alert_failed", subscription_id=sid, error=repr(exc))
                continue
            async with self.pool.acquire() as conn:
                await conn.execute(f"update monitoring.subscriptions set {column} = $2 where subscription_id = $1",
                                   row["subscription_id"], row["alerted_pauses"] if column == "cleared_pauses"
                                   else row["pauses"])


Hooks = Callable[[asyncpg.Pool], tuple[OnPaused | None, OnResumed | None]]


async def run_in_worker(resources, hooks: Hooks | None = None, **options: Any) -> None:
    """The worker's webhook task (``shared.worker.ServiceResources``): the dispatcher runs as
    the application role for as long as the worker does (its tables are monitoring's
    migrations). ``hooks(pool)`` gives the pause hooks once the worker's pool exists (they run
    commands in monitoring's store)."""
    await resources.start()
    on_paused, on_resumed = hooks(resources.pool) if hooks is not None else (None, None)
    dispatcher = WebhookDispatcher(resources.pool, on_paused=on_paused, on_resumed=on_resumed, **options)
    try:
        await dispatcher.run()
    finally:
        dispatcher.stop()
