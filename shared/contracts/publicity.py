"""Events published by the publicity service on ``publicity.events``."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.eventstore import DomainEvent

SERVICE = "publicity"
Channel = Literal["internet", "radio", "tv", "newspaper"]


class NoticePublished(DomainEvent, type="NoticePublished", version=1, service=SERVICE):
    """公示: e.g. the list of designated villages, with its publication window."""

    notice_id: str
    kind: Literal["designation_list"]
    title: str
    run_id: str | None = None
    window_from: date
    window_to: date
    village_codes: list[str]


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


class ReportPublished(DomainEvent, type="ReportPublished", version=1, service=SERVICE):
    report_id: str
    village_code: str | None
    title: str
    channels: list[Channel]
    published_on: date


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
