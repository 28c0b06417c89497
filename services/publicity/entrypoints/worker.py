"""The publicity worker: its outbox relay and projections (python -m services.publicity.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.publicity.adapters.schema import CHAIN
from services.publicity.projections import PROJECTIONS

app = build_worker("publicity", CHAIN, PROJECTIONS)

if __name__ == "__main__":
    run(app)
