"""Test-only events, registered under a type prefix no service uses."""

from __future__ import annotations

from shared.eventstore import Aggregate, DomainEvent


class Noted(DomainEvent, type="test.Noted", version=1, service="test"):
    text: str


class Notebook(Aggregate):
    stream_prefix = "notebook"

    def note(self, text: str) -> None:
        self.record(Noted(text=text))

    def when_Noted(self, event: Noted) -> None:
        self.last = event.text
