"""The monitoring worker: its outbox relay, the conditions reactor, the alert read models, the
webhook dispatcher, the quarantine topics' reader and the lag sampler (python -m services.monitoring.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.monitoring.adapters.lag_watch import LagWatch
from services.monitoring.adapters.quarantine_feed import QuarantineFeed
from services.monitoring.adapters.schema import CHAIN
from services.monitoring.adapters.webhooks import run_in_worker
from services.monitoring.entrypoints.webhook_hooks import subscription_hooks
from services.monitoring.projections import PROJECTIONS

app = build_worker("monitoring", CHAIN, PROJECTIONS)


@app.task
async def webhooks() -> None:
    await run_in_worker(app.resources, subscription_hooks)  # type: ignore[attr-defined]


@app.task
async def quarantines() -> None:
    resources = app.resources  # type: ignore[attr-defined]
    await resources.start()
    await QuarantineFeed(resources.pool, resources.settings).run()


@app.task
async def lag() -> None:
    resources = app.resources  # type: ignore[attr-defined]
    await resources.start()
    await LagWatch(resources.pool, resources.settings).run()


if __name__ == "__main__":
    run(app)
