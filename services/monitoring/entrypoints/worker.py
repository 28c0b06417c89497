"""The monitoring worker: its outbox relay, the conditions reactor and the alert read models
(python -m services.monitoring.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.monitoring.projections import PROJECTIONS

app = build_worker("monitoring", PROJECTIONS)

if __name__ == "__main__":
    run(app)
