"""The funding worker: its outbox relay and projections (python -m services.funding.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.funding.adapters.schema import CHAIN
from services.funding.projections import PROJECTIONS

app = build_worker("funding", CHAIN, PROJECTIONS)

if __name__ == "__main__":
    run(app)
