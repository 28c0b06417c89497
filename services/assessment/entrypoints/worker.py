"""The assessment worker: its outbox relay and projections (python -m services.assessment.entrypoints.worker)."""

from shared.worker import build_worker, run

from services.assessment.projections import PROJECTIONS

app = build_worker("assessment", PROJECTIONS)

if __name__ == "__main__":
    run(app)
