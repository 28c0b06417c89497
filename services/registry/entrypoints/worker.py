"""The registry worker: its outbox relay and projections (python -m services.registry.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.registry.adapters.schema import CHAIN
from services.registry.projections import PROJECTIONS

app = build_worker("registry", CHAIN, PROJECTIONS)

if __name__ == "__main__":
    run(app)
