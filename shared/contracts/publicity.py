"""Events published by the publicity service on ``publicity.events``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.eventstore import DomainEvent, upcaster

SERVICE = "publicity"
Channel = Literal["internet", "radio", "tv", "newspaper"]


# What a publication's figures were drawn at, so that they are reproduced as published even after
# a correction back-dated before it: the business instant (as of) and the statistics' log positions
# (known at). ``None`` in publications recorded before v2: their figures are drawn live.
DRAWN_AS_OF = Field(default=None, description="数字截至的时刻 / the instant its figures are as of")
KNOWN_AT = Field(default=None, description="数字所依据的各来源日志位置 / per source, the log position its figures "
                                           "were drawn at (as the statistics answers state them)")


def _v1_kept_no_positions(p: dict) -> dict:
    """A v1 publication: a notice's list is shown as known now, a report's figures are drawn live, as
    they always were."""
    return p | {"drawn_as_of": None, "known_at": None}


class NoticePublished(DomainEvent, type="NoticePublished", version=2, service=SERVICE):
    """公示: e.g. the list of designated villages, with its publication window.

    v2 adds ``drawn_as_of`` and ``known_at``: the list's details (name, town, rank, average) are
    shown as known then."""

    notice_id: str
    kind: Literal["designation_list"]
    title: str
    run_id: str | None = None
    window_from: date
    window_to: date
    village_codes: list[str]
    drawn_as_of: datetime | None = DRAWN_AS_OF
    known_at: dict[str, int] | None = KNOWN_AT


upcaster("NoticePublished", 1)(_v1_kept_no_positions)


class ReportDrafted(DomainEvent, type="ReportDrafted", version=1, service=SERVICE):
    report_id: str
    village_code: str | None
    title: str
    body: str
    figures: list[str] = Field(default_factory=list, description="引用的统计项 / statistics the text draws on")
    images_sha256: list[str] = Field(default_factory=list)
    author: str | None = Field(default=None, description="起草人（令牌主体）；只有起草人可修改、提交 / who drafted "
                                                        "it (token subject): only they may revise or submit it")


class ReportSubmitted(DomainEvent, type="ReportSubmitted", version=1, service=SERVICE):
    report_id: str


class ReportReturned(DomainEvent, type="ReportReturned", version=1, service=SERVICE):
    report_id: str
    reason: str


class ReportPublished(DomainEvent, type="ReportPublished", version=2, service=SERVICE):
    """v2 adds ``drawn_as_of`` and ``known_at``: the report's figures are those of that instant as
    known at those positions, the same whenever it is read."""

    report_id: str
    village_code: str | None
    title: str
    channels: list[Channel]
    published_on: date
    drawn_as_of: datetime | None = DRAWN_AS_OF
    known_at: dict[str, int] | None = KNOWN_AT


upcaster("ReportPublished", 1)(_v1_kept_no_positions)


class ReportRevised(DomainEvent, type="ReportRevised", version=1, service=SERVICE):
    """A draft or returned report edited again: the whole new content, back to draft."""

    report_id: str
    village_code: str | None
    title: str
    body: str
    figures: list[str] = Field(default_factory=list)
    images_sha256: list[str] = Field(default_factory=list)


class ImageUploaded(DomainEvent, type="ImageUploaded", version=1, service=SERVICE):
    """An image for reports, stored by its content hash. Stream ``image-<sha256>``."""

    sha256: str
    content_type: str
    size: int
