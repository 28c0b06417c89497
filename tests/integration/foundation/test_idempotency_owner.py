"""Idempotency keys belong to their caller (issue 18, item 5): the same key from another
principal is another command, a replay never hands one caller's result to another, and a
refused command leaves no replayable answer behind."""

from __future__ import annotations

import pytest

from shared.eventstore import CommandMeta, DomainError, IdempotencyKeyReused
from tests.support.events import note

ALICE = CommandMeta(actor="district_official:alice")
BOB = CommandMeta(actor="district_official:bob")


async def test_the_same_key_from_another_principal_is_another_command(store):
    mine = await store.execute("Note", {"text": "a"}, ALICE, note("1", "alice's"), idempotency_key="k")
    theirs = await store.execute("Note", {"text": "a"}, BOB, note("1", "bob's"), idempotency_key="k")
    assert (mine.replayed, theirs.replayed) == (False, False)
    assert theirs.result["text"] == "bob's" and theirs.result["version"] == 2  # its own effect, its own answer
    again = await store.execute("Note", {"text": "a"}, BOB, note("1", "bob's"), idempotency_key="k")
    assert again.replayed and again.result == theirs.result
    assert [e.payload["text"] for e in await store.read_stream(None, "notebook-1")] == ["alice's", "bob's"]


async def test_another_principal_cannot_probe_a_key_by_its_content(store):
    """Bob reusing Alice's key with other content is not told Alice's key exists."""
    await store.execute("Note", {"text": "a"}, ALICE, note("2", "x"), idempotency_key="k2")
    other = await store.execute("Note", {"text": "b"}, BOB, note("3", "y"), idempotency_key="k2")
    assert not other.replayed
    with pytest.raises(IdempotencyKeyReused):  # Alice herself still is
        await store.execute("Note", {"text": "b"}, ALICE, note("3", "y"), idempotency_key="k2")


async def test_a_refused_command_is_not_replayed(store):
    allowed = False

    async def guarded(uow):
        if not allowed:
            raise DomainError("not yet", field="text")
        return await note("4", "now")(uow)

    with pytest.raises(DomainError):
        await store.execute("Note", {"text": "n"}, ALICE, guarded, idempotency_key="k4")
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from es.commands") == 0
    allowed = True  # the condition is fixed; the retry with the same key runs and takes effect
    done = await store.execute("Note", {"text": "n"}, ALICE, guarded, idempotency_key="k4")
    assert not done.replayed and done.result["text"] == "now"
