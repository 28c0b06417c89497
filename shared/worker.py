"""A service's worker process: its outbox relay and its projections, on faust-streaming.

Each service's ``entrypoints/worker.py`` calls ``build_worker`` with its projections and
runs ``main()``. The relay runs as a faust task; each projection is a faust agent that
takes records in batches and hands them to a ``ProjectionRunner``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import faust
import structlog
from aiokafka import AIOKafkaProducer

from shared.config import Settings, get_settings
from shared.db import connect, create_pool
from shared.messaging.acls import app_id
from shared.messaging.batching import take_ready
from shared.messaging.credentials import faust_credentials
from shared.messaging.flow_control import ReleasingFlowControl
from shared.messaging.kafka import ensure_declared_topics, event_producer, event_type_in
from shared.messaging.quarantine_notice import QuarantineNotice
from shared.migrations import Chain, SchemaBehind, check_current, no_database
from shared.outbox.publisher import Publisher
from shared.outbox.relay import OutboxRelay
from shared.projections import Delivery, Projection, ProjectionRunner
from shared.projections.reactor import Reactor
from shared.tracing import setup_tracing

log = structlog.get_logger("xingcun.worker")


class ServiceResources:
    """The pool and runners a worker shares between its relay and its agents."""

    def __init__(self, service: str, settings: Settings, projections: Sequence[Projection], migrations: Chain):
        self.service = service
        self.settings = settings
        self.projections = projections
        self.migrations = migrations
        self.pool = None
        self.runners: dict[str, ProjectionRunner] = {}
        self._announcer: AIOKafkaProducer | None = None
        # Wakes this process's relay (when it leads) after a reactor appended: its idle poll
        # would otherwise hold a reaction back for up to a quarter of a second (an alert).
        self.wake_relay: Callable[[], None] = lambda: None
        self._ready = asyncio.Event()
        self._lock = asyncio.Lock()

    def topics_of(self, projection: Projection) -> dict[str, str]:
        return {s: self.settings.topic(s) for s in projection.sources}

    @property
    def topics(self) -> list[str]:
        """Its own topic, every topic its projections read, and its quarantine topic."""
        sources = {self.service, *(s for p in self.projections for s in p.sources)}
        return sorted([*(self.settings.topic(s) for s in sources), self.settings.quarantine_topic(self.service)])

    async def announce_quarantined(self, runner: ProjectionRunner, delivery: Delivery, error: Exception) -> None:
        """Put a held record on ``<service>.quarantine``: the record as delivered, its headers,
        and where it came from and why, for whoever watches (monitoring's operations alert).
        The table is where an operator acts; a send that fails is logged, not retried."""
        try:
            if self._announcer is None:
                self._announcer = event_producer(self.settings)
                await self._announcer.start()
            notice = QuarantineNotice(runner.projection.name, delivery.topic, delivery.partition, delivery.offset,
                                      "held")
            headers = [*((k, v) for k, v in delivery.headers.items()), *notice.headers(error=repr(error))]
            await self._announcer.send_and_wait(self.settings.quarantine_topic(self.service), value=delivery.value,
                                                headers=headers)
        except Exception as exc:  # noqa: BLE001 - the broker away: proj.quarantine holds it regardless
            log.warning("projection_quarantine_not_announced", projection=runner.projection.name, error=repr(exc))

    async def start(self) -> None:
        async with self._lock:
            if self.pool is not None:
                return
            # The schema is `xingcun db migrate`'s; the relay and the projections run as the
            # application role on a database already at the latest migration (checked in ``run``).
            pool = await create_pool(self.settings.app_dsn(self.service), max_size=8)
            for projection in self.projections:
                self.runners[projection.name] = ProjectionRunner(pool, projection, self.topics_of(projection))
            self.pool = pool
            self._ready.set()

    async def check_schema(self) -> None:
        """Raise ``SchemaBehind`` when the database lacks a migration of the service's chain."""
        try:
            conn = await connect(self.settings.app_dsn(self.service))
        except asyncpg.InvalidCatalogNameError:
            raise no_database(self.service, self.settings.db_prefix + self.service) from None
        try:
            await check_current(conn, self.migrations)
        finally:
            await conn.close()

    async def runner(self, name: str) -> ProjectionRunner:
        await self._ready.wait()
        return self.runners[name]


def build_worker(service: str, migrations: Chain, projections: Sequence[Projection] = (),
                 settings: Settings | None = None) -> faust.App:
    settings = settings or get_settings()
    setup_tracing(f"{service}-worker", settings)
    app = faust.App(
        app_id(service, settings.topic_prefix),
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_credentials=faust_credentials(settings),
        store="memory://",
        # faust keeps table data under its datadir (default: the working directory).
        datadir=str(settings.state_dir / "faust" / "{conf.id}"),
        web_enabled=False,
        topic_disable_leader=True,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        topic_allow_declare=settings.topic_create,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10,
        broker_heartbeat_interval=3,
        producer_acks=-1,
        # Committed offsets are how others see this worker's pace (monitoring's lag rule, the
        # APIs' admission on the backlog: shared/http/backlog.py); faust's 2.8 s would make a
        # worker that keeps up look seconds behind. One small request a quarter second.
        broker_commit_interval=0.25,
        # Kept at faust's default (stream_wait_empty=True), though a backlog can hold a stopping
        # worker past a 30 s grace period: with False, a rebalance may commit the offsets of a
        # batch still being applied, and the partition's next owner starts after it. The one
        # chaos run that lost records (registry's presence and leave rows) had it False.
    )
    # Before anything reads it: projections sharing a topic would otherwise hold every stop
    # and rebalance until killed (shared/messaging/flow_control.py).
    app.flow_control = ReleasingFlowControl(lambda: app.consumer, loop=app.loop)
    resources = ServiceResources(service, settings, projections, migrations)
    app.resources = resources  # type: ignore[attr-defined]

    @app.task
    async def relay() -> None:
        await resources.start()
        producer = event_producer(settings)
        await producer.start()
        stopping = asyncio.Event()
        relay = OutboxRelay(Publisher(resources.pool, producer, source=service, topic=settings.topic(service),
                                      new_producer=lambda: event_producer(settings)))
        resources.wake_relay = relay.wakeup.event.set
        try:
            await relay.run(stopping)
        finally:
            await relay.producer.stop()

    for projection in projections:
        _add_agent(app, resources, projection)
    return app


POISON_ATTEMPTS = 5  # failures, while the database answers, before a record is held aside
Announce = Callable[[ProjectionRunner, Delivery, Exception], Awaitable[None]]


async def apply_until_done(runner: ProjectionRunner, deliveries: list[Delivery], *, max_wait: float = 5.0,
                           attempts: int = POISON_ATTEMPTS, announce: Announce | None = None) -> None:
    """Apply a batch, retrying until it succeeds or its poison is quarantined.

    faust acks a batch's offsets when the agent leaves it, also when the agent raises (and
    its supervisor restarts it past the batch): a batch that failed while PostgreSQL was
    restarting would be lost from the read model. So the batch stays here until it is
    applied; the runner's own offsets make every retry safe. Failures while the database is
    away are not counted. After ``attempts`` failures while it answers, the batch fails by
    itself: its records are applied one by one, and one that fails ``attempts`` times on
    its own goes to ``proj.quarantine`` with its error, loudly (``announce``: also onto the
    service's quarantine topic); the projection moves on.
    """
    if await _settle(runner, deliveries, max_wait=max_wait, attempts=attempts) is None:
        return
    if len(deliveries) > 1:
        log.error("projection_batch_poisoned", projection=runner.projection.name, records=len(deliveries))
    for delivery in deliveries:
        if (error := await _settle(runner, [delivery], max_wait=max_wait, attempts=attempts)) is not None:
            await _hold(runner, delivery, error, attempts, max_wait=max_wait)
            if announce is not None:
                await announce(runner, delivery, error)


async def _settle(runner: ProjectionRunner, deliveries: list[Delivery], *, max_wait: float,
                  attempts: int) -> Exception | None:
    """Apply until done (None) or until ``attempts`` failures while the database answered (the last error)."""
    wait, failures = 0.1, 0
    while True:
        try:
            await runner.apply_batch(deliveries)
            return None
        except Exception as exc:  # noqa: BLE001 - database away, or a defect
            if await runner.reachable():
                failures += 1
            log.warning("projection_batch_retry", projection=runner.projection.name, error=repr(exc), wait=wait,
                        failures=failures)
            if failures >= attempts:
                return exc
            await asyncio.sleep(wait)
            wait = min(wait * 2, max_wait)


async def _hold(runner: ProjectionRunner, delivery: Delivery, error: Exception, attempts: int, *,
                max_wait: float) -> None:
    wait = 0.1
    while True:
        try:
            await runner.quarantine(delivery, error, attempts)
            log.error("projection_record_quarantined", projection=runner.projection.name, topic=delivery.topic,
                      partition=delivery.partition, offset=delivery.offset, error=repr(error))
            return
        except Exception as exc:  # noqa: BLE001 - database away: the record is neither applied nor held yet
            log.warning("projection_quarantine_retry", projection=runner.projection.name, error=repr(exc))
            await asyncio.sleep(wait)
            wait = min(wait * 2, max_wait)


def _add_agent(app: faust.App, resources: ServiceResources, projection: Projection) -> None:
    topic = app.topic(
        *resources.topics_of(projection).values(), value_serializer="raw", key_serializer="raw"
    )

    reacts = isinstance(projection, Reactor)
    passed_over = passed_over_by(projection)

    async def project(stream) -> None:
        runner = await resources.runner(projection.name)
        async for events in take_ready(stream, 500, resources.settings.batch_spacing, passed_over):
            await apply_until_done(runner, [
                Delivery(e.message.topic, e.message.partition, e.message.offset, e.value, e.headers)
                for e in events
            ], announce=resources.announce_quarantined)
            if reacts:
                resources.wake_relay()

    project.__name__ = f"project_{projection.name}"
    app.agent(topic, name=f"projection.{projection.name}")(project)


def passed_over_by(projection: Projection) -> Callable[[faust.types.EventT], bool] | None:
    """Whether the projection would pass over a record, told by the type its headers name
    without decoding it; a record whose headers name none may count. Only a hint for how
    batches are gathered: the runner decides by the decoded event."""
    handles = projection.handles
    if handles is None:
        return None

    def passed_over(event: faust.types.EventT) -> bool:
        event_type = event_type_in(event.headers)
        return event_type is not None and event_type not in handles

    return passed_over


def run(app: faust.App) -> None:
    """Run the worker as a process (``python -m services.<service>.entrypoints.worker``)."""
    from faust.worker import Worker

    # Topics must exist before faust subscribes, or it settles on an empty assignment.
    resources: ServiceResources = app.resources  # type: ignore[attr-defined]
    settings = resources.settings
    try:  # a worker never migrates: behind, it says so and exits before joining its group
        asyncio.run(resources.check_schema())
    except SchemaBehind as exc:
        log.error("schema_behind", service=resources.service, error=str(exc))
        raise SystemExit(f"{resources.service}-worker: {exc}") from None
    asyncio.run(ensure_declared_topics(settings, resources.topics))
    Path(app.conf.datadir).mkdir(parents=True, exist_ok=True)
    Worker(app, loglevel="info").execute_from_commandline()
