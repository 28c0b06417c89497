"""Commands publicity accepts: notices (公示) and featured reports (专题报道). Pure data, no IO."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.dates import IsoDate, in_order
from shared.lists import no_repeats

Channel = Literal["internet", "radio", "tv", "newspaper"]
CHANNEL_NAMES = {"internet": "互联网", "radio": "广播", "tv": "电视", "newspaper": "报纸"}
ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
SHA256 = r"^[0-9a-f]{64}$"


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PublishNotice(_Command):
    """公示经济薄弱村名单 / publish the designated-village list as a public notice."""

    notice_id: str = Field(pattern=ID, description="公示编号 / notice id")
    title: str = Field(min_length=1, max_length=200, description="标题 / title")
    run_id: str | None = Field(None, max_length=64, description="所依据的筛查批次 / the screening run it publishes")
    window_from: IsoDate = Field(description="公示开始日 / first day of the publication window")
    window_to: IsoDate = Field(description="公示截止日 / last day of the publication window")
    village_codes: list[str] | None = Field(
        None, max_length=5000,
        description="公示的村（默认：该批次或当前认定的全部薄弱村）/ villages listed (default: the run's or today's "
                    "designated villages)")

    @field_validator("village_codes")
    @classmethod
    def codes(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        bad = [c for c in value if not (len(c) == 12 and c.isdigit())]
        if bad:
            raise ValueError(f"村代码应为12位数字 / village codes must be 12 digits: {bad[:5]}")
        if len(set(value)) != len(value):
            raise ValueError("村代码重复 / a village is listed twice")
        return value

    window = in_order("window_from", "window_to", "公示截止日早于开始日 / window_to is before window_from")


class DraftReport(_Command):
    """起草专题报道 / draft a featured report on a village (or the programme)."""

    report_id: str = Field(pattern=ID, description="报道编号 / report id")
    village_code: str | None = Field(None, pattern=r"^\d{12}$", description="所写的村 / the village it is about")
    title: str = Field(min_length=1, max_length=200, description="标题 / title")
    body: str = Field(min_length=1, max_length=50_000, description="正文 / text")
    figures: list[str] = Field(default_factory=list, max_length=20,
                               description="引用的统计指标（实时取数）/ metrics drawn live from the statistics")
    images_sha256: list[str] = Field(default_factory=list, max_length=20,
                                     description="已上传图片的 SHA-256 / hashes of uploaded images")

    @field_validator("images_sha256")
    @classmethod
    def hashes(cls, value: list[str]) -> list[str]:
        import re

        bad = [h for h in value if not re.match(SHA256, h)]
        if bad:
            raise ValueError(f"应为小写十六进制 SHA-256 / expected lower-case hex SHA-256: {bad[:3]}")
        return value


class ReviseReport(DraftReport):
    """修改报道（草稿或被退回时）/ revise a report while it is a draft or returned."""


class SubmitReport(_Command):
    """提交审核 / submit a report for review: the path names it, the request has no body."""


class ReturnReport(_Command):
    reason: str = Field(min_length=1, max_length=1000, description="退回理由 / why it goes back")


class PublishReport(_Command):
    channels: Annotated[list[Channel], no_repeats("渠道重复 / a channel is listed twice")] = Field(
        min_length=1, description="发布渠道 / channels: internet, radio, tv, newspaper")
    published_on: IsoDate = Field(description="发布日期 / publication date")


class UploadImage(_Command):
    """上传图片 / an uploaded image, its type judged from its bytes (never the declared type)."""

    sha256: str = Field(pattern=SHA256, description="内容的 SHA-256 / the hash of its bytes")
    content_type: str = Field(description="由内容判定的类型 / the type its bytes show")
    # Not part of the command's fingerprint (the hash stands for it) nor of any dump.
    content: bytes = Field(exclude=True, repr=False)

    @classmethod
    def of(cls, content: bytes, content_type: str) -> UploadImage:
        return cls(sha256=hashlib.sha256(content).hexdigest(), content_type=content_type, content=content)
