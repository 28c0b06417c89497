"""Images and notices through the service layer, in memory: what can be refused before any
read of publicity's tables is refused there; the rest needs PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from shared.eventstore.errors import DomainError
from shared.eventstore.memory import InMemoryUnitOfWork, NeedsDatabase

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


async def test_a_notice_checks_the_read_model_first():
    cmd = PublishNotice(notice_id="n1", title="公示", window_from=date(2021, 6, 1), window_to=date(2021, 6, 7),
                        village_codes=["120119000001"])
    with pytest.raises(NeedsDatabase):
        await COMMANDS[PublishNotice](InMemoryUnitOfWork(), cmd)
