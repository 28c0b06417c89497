"""The worker's batch loop counts only failures while the database answers: an outage,
however long, never sends a record to quarantine (pure logic, with a fake runner)."""

from __future__ import annotations

from types import SimpleNamespace

from shared.projections import Delivery
from shared.worker import apply_until_done


class FakeRunner:
    def __init__(self, outage_tries: int, poison: set[int]):
        self.projection = SimpleNamespace(name="fake")
        self.outage_tries = outage_tries  # the first tries fail with the database away
        self.poison = poison
        self.applied: list[int] = []
        self.held: list[tuple[int, str, int]] = []

    async def apply_batch(self, deliveries):
        if self.outage_tries:
            self.outage_tries -= 1
            raise ConnectionRefusedError("database away")
        if any(d.offset in self.poison for d in deliveries):
            raise ValueError("poison")
        self.applied += [d.offset for d in deliveries]
        return len(deliveries)

    async def reachable(self) -> bool:
        return self.outage_tries == 0

    async def quarantine(self, delivery, error, attempts):
        self.held.append((delivery.offset, repr(error), attempts))
        return True


def batch(n: int) -> list[Delivery]:
    return [Delivery("t", 0, i, b"", {}) for i in range(n)]


async def test_an_outage_longer_than_the_attempts_quarantines_nothing():
    runner = FakeRunner(outage_tries=12, poison=set())
    await apply_until_done(runner, batch(3), attempts=3, max_wait=0.001)
    assert runner.applied == [0, 1, 2] and runner.held == []


async def test_only_the_poison_record_of_a_batch_is_held():
    runner = FakeRunner(outage_tries=0, poison={1})
    await apply_until_done(runner, batch(4), attempts=3, max_wait=0.001)
    assert runner.applied == [0, 2, 3]
    assert runner.held == [(1, "ValueError('poison')", 3)]
