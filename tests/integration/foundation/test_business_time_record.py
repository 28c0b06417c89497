"""Business time against the real store (issue 18, item 4): a back-dated command's reason is
recorded in its own transaction (and not when it is refused); ``recorded_at`` is the
server's whatever the business time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.eventstore import CommandMeta, DomainError
from tests.support.events import Notebook

WHEN = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)


def note(key: str, refuse: bool = False):
    async def handler(uow):
        if refuse:
            raise DomainError("no", field="text")
        book = await uow.load(Notebook, key)
        book.note("old fact")
        await uow.save(book)
        return {"version": book.version}

    return handler


async def test_the_reason_is_recorded_with_the_command_and_recorded_at_is_the_servers(store):
    meta = CommandMeta(actor="city_office:office", occurred_at=WHEN, backdate_reason="2021 年台账补录 / ledger of 2021")
    before = datetime.now(UTC)
    await store.execute("Note", {"n": 1}, meta, note("1"))
    [event] = await store.read_stream(None, "notebook-1")
    assert event.occurred_at == WHEN
    assert event.recorded_at >= before  # the server's clock, not the caller's
    async with store.pool.acquire() as conn:
        row = await conn.fetchrow("select * from es.backdated where correlation_id = $1", meta.correlation_id)
    assert (row["actor"], row["occurred_at"], row["reason"]) == ("city_office:office", WHEN, "2021 年台账补录 / ledger of 2021")


async def test_a_refused_back_dated_command_records_no_reason(store):
    meta = CommandMeta(actor="city_office:office", occurred_at=WHEN, backdate_reason="r")
    with pytest.raises(DomainError):
        await store.execute("Note", {"n": 2}, meta, note("2", refuse=True))
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from es.backdated") == 0
