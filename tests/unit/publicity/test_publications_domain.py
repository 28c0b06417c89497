"""The report workflow draft → review → published, and the notice command's rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.eventstore.errors import Conflict, Forbidden

from services.publicity.domain.commands import DraftReport, PublishNotice, PublishReport, ReturnReport, ReviseReport
from services.publicity.domain.publications import Notice, Report

DRAFT = DraftReport(report_id="r1", village_code="120119000001", title="标题", body="正文")
PUBLISH = PublishReport(channels=["internet", "radio"], published_on=date(2022, 5, 1))
DRAWN = (datetime(2022, 5, 1, 2, tzinfo=UTC), {"assessment": 3, "funding": 5, "registry": 8})


def events(aggregate) -> list[str]:
    return [type(e).__name__ for e in aggregate.pending]


def drafted() -> Report:
    report = Report("r1")
    report.draft(DRAFT)
    return report


def test_a_report_is_published_only_after_review():
    report = drafted()
    with pytest.raises(Conflict):
        report.publish(PUBLISH, DRAWN)
    report.submit()
    report.return_(ReturnReport(reason="补充"))
    with pytest.raises(Conflict):
        report.publish(PUBLISH, DRAWN)
    report.submit()
    report.publish(PUBLISH, DRAWN)
    assert events(report) == ["ReportDrafted", "ReportSubmitted", "ReportReturned", "ReportSubmitted",
                              "ReportPublished"]
    assert report.pending[-1].channels == ["internet", "radio"] and report.pending[-1].village_code == "120119000001"
    # What its figures are drawn at travels with it, so that they are read the same later.
    assert (report.pending[-1].drawn_as_of, report.pending[-1].known_at) == DRAWN


def test_a_published_report_is_final_and_a_draft_exists_once():
    report = drafted()
    with pytest.raises(Conflict):
        report.draft(DRAFT)
    report.submit()
    report.publish(PUBLISH, DRAWN)
    for act in (report.submit, lambda: report.return_(ReturnReport(reason="x")), lambda: report.publish(PUBLISH, DRAWN)):
        with pytest.raises(Conflict):
            act()


def test_only_its_author_revises_or_submits_a_report():
    report = Report("r1")
    report.draft(DRAFT, author="fs-1")
    with pytest.raises(Forbidden):
        report.submit(by="fs-2")
    with pytest.raises(Forbidden):
        report.revise(ReviseReport(**DRAFT.model_dump()), by="fs-2")
    report.revise(ReviseReport(**DRAFT.model_dump()), by="fs-1")
    report.submit(by="fs-1")
    assert events(report) == ["ReportDrafted", "ReportRevised", "ReportSubmitted"]
    assert report.pending[0].author == "fs-1"


def test_channels_are_the_four_media_without_repeats():
    with pytest.raises(ValidationError):
        PublishReport(channels=["billboard"], published_on=date(2022, 1, 1))
    with pytest.raises(ValidationError):
        PublishReport(channels=["tv", "tv"], published_on=date(2022, 1, 1))
    with pytest.raises(ValidationError):
        PublishReport(channels=[], published_on=date(2022, 1, 1))


def test_a_notice_window_runs_forwards_and_lists_valid_codes_once():
    ok = dict(notice_id="n1", title="公示", window_from=date(2021, 3, 2), window_to=date(2021, 3, 8))
    PublishNotice(**ok)
    with pytest.raises(ValidationError, match="window_to"):
        PublishNotice(**ok | {"window_to": date(2021, 3, 1)})
    with pytest.raises(ValidationError):
        PublishNotice(**ok | {"village_codes": ["12011900000"]})
    with pytest.raises(ValidationError):
        PublishNotice(**ok | {"village_codes": ["120119000001", "120119000001"]})
    notice = Notice("n1")
    notice.publish(PublishNotice(**ok), ["120119000001"], None, DRAWN)
    with pytest.raises(Conflict):
        notice.publish(PublishNotice(**ok), ["120119000001"], None, DRAWN)


def test_publications_recorded_before_v2_are_upcast_to_figures_drawn_live():
    from shared.eventstore import CATALOGUE

    from services.publicity.domain.asof import drawn_at

    report = CATALOGUE.decode("ReportPublished", 1, {"report_id": "r1", "village_code": None, "title": "t",
                                                     "channels": ["tv"], "published_on": "2022-05-01"})
    notice = CATALOGUE.decode("NoticePublished", 1, {
        "notice_id": "n1", "kind": "designation_list", "title": "t", "run_id": None, "window_from": "2021-06-01",
        "window_to": "2021-06-07", "village_codes": ["120119000001"]})
    assert (report.drawn_as_of, report.known_at, notice.drawn_as_of, notice.known_at) == (None, None, None, None)
    now = datetime(2026, 1, 2, 3, tzinfo=UTC)
    assert drawn_at(None, None, now).known is None and drawn_at(None, None, now).cutoff > now
    kept = drawn_at(*DRAWN, now)
    assert (kept.known, kept.text) == ((("assessment", 3), ("funding", 5), ("registry", 8)), "2022-05-01T10:00:00+08:00")
