"""The assessment worker: its outbox relay and projections (python -m services.assessment.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.assessment.adapters.schema import CHAIN
from services.assessment.projections import PROJECTIONS

app = build_worker("assessment", CHAIN, PROJECTIONS)

if __name__ == "__main__":
    run(app)
