"""The monitoring worker: its outbox relay, the conditions reactor, the alert read models and
the webhook dispatcher (python -m services.monitoring.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.monitoring.adapters.schema import CHAIN
from services.monitoring.adapters.webhooks import run_in_worker
from services.monitoring.entrypoints.webhook_hooks import subscription_hooks
from services.monitoring.projections import PROJECTIONS

app = build_worker("monitoring", CHAIN, PROJECTIONS)


@app.task
async def webhooks() -> None:
    await run_in_worker(app.resources, subscription_hooks)  # type: ignore[attr-defined]


if __name__ == "__main__":
    run(app)
