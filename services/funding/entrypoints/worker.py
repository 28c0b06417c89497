"""The funding worker: its outbox relay and projections (python -m services.funding.entrypoints.worker)."""

from shared.projections.directory import VillageDirectory
from shared.worker import build_worker, run

app = build_worker("funding", [VillageDirectory()])

if __name__ == "__main__":
    run(app)
