"""Images and notices through the service layer, in memory: publicity's tables are given as
the in-memory twins of ``adapters/memory.py``."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.publicity import ImageUploaded, NoticePublished
from shared.eventstore.errors import DomainError
from shared.eventstore.memory import InMemoryUnitOfWork, NeedsDatabase

from services.publicity.adapters.directory import PgDirectory
from services.publicity.adapters.images import PgImages
from services.publicity.adapters.memory import InMemoryDirectory, InMemoryImages

from services.publicity.domain.commands import PublishNotice, UploadImage
from services.publicity.handlers import COMMANDS
from services.publicity.handlers.images import MAX_IMAGE_BYTES


async def test_an_image_of_another_type_is_refused():
    with pytest.raises(DomainError, match="only") as refused:
        await COMMANDS[UploadImage](InMemoryUnitOfWork(), UploadImage.of(b"%PDF-1.4", "application/pdf"))
    assert refused.value.field == "file"


async def test_an_empty_or_oversized_image_is_refused():
    for content in (b"", b"x" * (MAX_IMAGE_BYTES + 1)):
        with pytest.raises(DomainError, match="5 MB"):
            await COMMANDS[UploadImage](InMemoryUnitOfWork(), UploadImage.of(content, "image/png"))


def test_an_image_command_is_fingerprinted_by_its_hash_not_its_bytes():
    cmd = UploadImage.of(b"\x89PNG...", "image/png")
    assert set(cmd.model_dump(mode="json")) == {"sha256", "content_type"}
    assert len(cmd.sha256) == 64


async def test_an_image_is_recorded_once_however_often_it_is_uploaded():
    uow = InMemoryUnitOfWork()
    kept = uow.provide(PgImages, InMemoryImages())
    cmd = UploadImage.of(b"\x89PNG...", "image/png")
    for _ in range(2):
        assert await COMMANDS[UploadImage](uow, cmd) == {"sha256": cmd.sha256, "size": 7, "content_type": "image/png"}
    assert [type(e) for e in uow.events] == [ImageUploaded] and set(kept.images) == {cmd.sha256}


def notice(**body) -> PublishNotice:
    return PublishNotice.model_validate({"notice_id": "n1", "title": "公示", "window_from": date(2021, 6, 1),
                                         "window_to": date(2021, 6, 7)} | body)


async def test_a_notice_checks_the_read_model_first():
    with pytest.raises(NeedsDatabase):
        await COMMANDS[PublishNotice](InMemoryUnitOfWork(), notice(village_codes=["120119000001"]))


async def test_a_notice_lists_the_runs_designated_villages_or_todays_and_only_registered_ones():
    uow = InMemoryUnitOfWork()
    heard = uow.provide(PgDirectory, InMemoryDirectory({"120119000001", "120119000002", "120114000003"}))
    heard.runs["run-1"] = [("120119000002", True), ("120119000001", True), ("120114000003", False)]
    heard.designated = {"120119000002", "120114000003"}
    refusals = {"run_id": notice(run_id="run-9"), "village_codes": notice(village_codes=["120119000009"])}
    for field, cmd in refusals.items():
        with pytest.raises(DomainError) as refused:
            await COMMANDS[PublishNotice](uow, cmd)
        assert refused.value.field == field
    assert uow.events == []

    assert await COMMANDS[PublishNotice](uow, notice(run_id="run-1")) == {"notice_id": "n1", "villages": 2}
    today = InMemoryUnitOfWork()
    today.provide(PgDirectory, heard)
    await COMMANDS[PublishNotice](today, notice())
    assert [e.village_codes for e in (*uow.events, *today.events) if isinstance(e, NoticePublished)] == [
        ["120119000002", "120119000001"], ["120114000003", "120119000002"]]

    heard.designated = set()
    with pytest.raises(DomainError) as empty:
        await COMMANDS[PublishNotice](today, notice(notice_id="n2"))
    assert empty.value.field == "village_codes"
