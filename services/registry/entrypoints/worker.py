"""The registry worker: its outbox relay and projections (python -m services.registry.entrypoints.worker)."""

from shared.projections.directory import VillageDirectory
from shared.worker import build_worker, run

app = build_worker("registry", [VillageDirectory()])

if __name__ == "__main__":
    run(app)
