"""A report's workflow through the service layer, in memory (no PostgreSQL): draft, revise,
submit, return, publish, and the refusals of each."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.publicity import ReportDrafted, ReportPublished, ReportReturned, ReportSubmitted
from shared.eventstore.errors import Conflict, DomainError, Forbidden
from shared.eventstore.memory import InMemoryUnitOfWork, NeedsDatabase

from services.publicity.adapters.directory import PgDirectory
from services.publicity.adapters.images import PgImages
from services.publicity.adapters.memory import InMemoryDirectory, InMemoryImages
from services.publicity.domain.commands import DraftReport, PublishReport, ReturnReport, ReviseReport, SubmitReport
from services.publicity.domain.publications import Report
from services.publicity.handlers import COMMANDS

DRAFT = DraftReport(report_id="r1", title="村里的新路", body="修了一条路。", figures=["villages_designated"])


async def test_a_report_goes_from_draft_through_review_to_publishing():
    uow = InMemoryUnitOfWork()
    assert await COMMANDS[DraftReport](uow, DRAFT, "author-1") == {"report_id": "r1", "status": "draft", "version": 1}
    await COMMANDS[SubmitReport](uow, SubmitReport(), "author-1", report_id="r1")
    await COMMANDS[ReturnReport](uow, ReturnReport(reason="补充数字"), report_id="r1")
    revised = ReviseReport(**DRAFT.model_dump() | {"body": "修了两条路。"})
    assert (await COMMANDS[ReviseReport](uow, revised, "author-1"))["status"] == "draft"
    await COMMANDS[SubmitReport](uow, SubmitReport(), "author-1", report_id="r1")
    assert [type(e) for e in uow.events][:3] == [ReportDrafted, ReportSubmitted, ReportReturned]
    # Publishing keeps the statistics' log positions, read through the directory.
    publish = PublishReport(channels=["internet", "tv"], published_on=date(2023, 5, 1))
    with pytest.raises(NeedsDatabase):
        await COMMANDS[PublishReport](uow, publish, report_id="r1")
    assert not any(isinstance(e, ReportPublished) for e in uow.events)
    uow.provide(PgDirectory, InMemoryDirectory()).positions = {"registry": 41, "funding": 7, "assessment": 3}
    assert (await COMMANDS[PublishReport](uow, publish, report_id="r1"))["status"] == "published"
    published = uow.events[-1]
    assert isinstance(published, ReportPublished)
    assert published.known_at == {"registry": 41, "funding": 7, "assessment": 3} and published.drawn_as_of


async def test_an_unknown_metric_is_refused_before_anything_is_recorded():
    uow = InMemoryUnitOfWork()
    with pytest.raises(DomainError, match="unknown metrics"):
        await COMMANDS[DraftReport](uow, DRAFT.model_copy(update={"figures": ["no_such_metric"]}), "a")
    assert uow.events == []


async def test_a_report_id_is_drafted_once():
    uow = InMemoryUnitOfWork()
    uow.given(Report, "r1", [ReportDrafted(**DRAFT.model_dump(), author="a")])
    with pytest.raises(Conflict):
        await COMMANDS[DraftReport](uow, DRAFT, "a")


async def test_only_its_author_submits_a_report():
    uow = InMemoryUnitOfWork()
    uow.given(Report, "r1", [ReportDrafted(**DRAFT.model_dump(), author="a")])
    with pytest.raises(Forbidden):
        await COMMANDS[SubmitReport](uow, SubmitReport(), "someone-else", report_id="r1")
    assert uow.events == []


async def test_a_draft_is_neither_returned_nor_published_before_review():
    uow = InMemoryUnitOfWork()
    uow.given(Report, "r1", [ReportDrafted(**DRAFT.model_dump(), author="a")])
    with pytest.raises(Conflict, match="draft"):
        await COMMANDS[ReturnReport](uow, ReturnReport(reason="x"), report_id="r1")
    with pytest.raises(Conflict, match="draft"):
        await COMMANDS[PublishReport](uow, PublishReport(channels=["radio"], published_on=date(2023, 5, 1)),
                                      report_id="r1")
    assert uow.events == []


async def test_a_missing_report_is_not_submitted():
    with pytest.raises(Conflict, match="absent"):
        await COMMANDS[SubmitReport](InMemoryUnitOfWork(), SubmitReport(), "a", report_id="nope")


async def test_a_village_or_images_named_must_be_known():
    uow = InMemoryUnitOfWork()
    with pytest.raises(NeedsDatabase):  # no twins given
        await COMMANDS[DraftReport](uow, DRAFT.model_copy(update={"village_code": "120119000001"}), "a")
    uow.provide(PgDirectory, InMemoryDirectory({"120119000001"}))
    kept = uow.provide(PgImages, InMemoryImages())
    await kept.store("a" * 64, "image/png", b"\x89PNG")
    with pytest.raises(DomainError) as unknown:
        await COMMANDS[DraftReport](uow, DRAFT.model_copy(update={"village_code": "120119000002"}), "a")
    assert unknown.value.field == "village_code"
    with pytest.raises(DomainError) as missing:
        await COMMANDS[DraftReport](uow, DRAFT.model_copy(update={"images_sha256": ["a" * 64, "b" * 64]}), "a")
    assert missing.value.field == "images_sha256" and "b" * 64 in str(missing.value)
    assert uow.events == []
    named = DRAFT.model_copy(update={"village_code": "120119000001", "images_sha256": ["a" * 64]})
    assert (await COMMANDS[DraftReport](uow, named, "a"))["status"] == "draft"
    assert [type(e) for e in uow.events] == [ReportDrafted]
