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


def note(key: str, text: str):
    """A command handler that notes ``text`` in notebook ``key`` and answers what it did."""

    async def handler(uow):
        book = await uow.load(Notebook, key)
        book.note(text)
        await uow.save(book)
        return {"book": key, "text": text, "version": book.version}

    return handler


async def append_notes(store, count: int) -> None:
    """``count`` notebooks of one note each, every one appended in a transaction of its own."""
    from shared.eventstore import CommandMeta

    async with store.pool.acquire() as conn:
        for i in range(count):
            async with conn.transaction():
                await store.append(conn, f"notebook-{i}", 0, [Noted(text=f"n{i}")], CommandMeta(actor="a"))
