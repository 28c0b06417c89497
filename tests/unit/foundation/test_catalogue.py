"""Event registration, upcasting and unknown types — pure logic."""

from __future__ import annotations

from shared.eventstore import DomainEvent, UnknownEvent
from shared.eventstore.catalogue import Catalogue


def test_old_version_is_upcast_step_by_step_on_read():
    catalogue = Catalogue()

    class Moved(DomainEvent, type="test.MovedV3", version=3):
        to: str
        reason: str

    catalogue.register(Moved)
    catalogue.upcasters[("test.MovedV3", 1)] = lambda p: {"to": p["dest"]}
    catalogue.upcasters[("test.MovedV3", 2)] = lambda p: p | {"reason": "未说明 / not stated"}

    event = catalogue.decode("test.MovedV3", 1, {"dest": "蓟州区"})
    assert event == Moved(to="蓟州区", reason="未说明 / not stated")


def test_unknown_type_and_newer_version_are_kept_raw():
    catalogue = Catalogue()

    class Seen(DomainEvent, type="test.Seen", version=1):
        x: int

    catalogue.register(Seen)
    assert catalogue.decode("Nope", 1, {"a": 1}) == UnknownEvent("Nope", 1, {"a": 1})
    assert isinstance(catalogue.decode("test.Seen", 2, {"x": 1, "y": 2}), UnknownEvent)
