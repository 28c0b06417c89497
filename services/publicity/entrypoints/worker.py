"""The publicity worker: its outbox relay and projections (python -m services.publicity.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.publicity.projections import PROJECTIONS

app = build_worker("publicity", PROJECTIONS)

if __name__ == "__main__":
    run(app)
