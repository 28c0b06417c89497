"""Request and response models of the delivery routes (subscriptions, their delivery log)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, field_validator

from shared.config import get_settings

from services.monitoring.domain.webhooks import MAX_SECRET, MIN_SECRET

RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{1,59}$")]
District = Annotated[str, Field(pattern=r"^\d{6}$")]
Severity = Literal["info", "warning", "critical"]


class NewSubscriptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(description="接收地址（生产环境须 https）/ the receiver's URL (https in production)")
    secret: SecretStr = Field(min_length=MIN_SECRET, max_length=MAX_SECRET,
                              description="签名密钥（只写，不回显）/ the HMAC secret: write-only, never shown again")
    rules: list[RuleId] = Field(default_factory=list, max_length=100, description="规则（空：全部）/ rules; empty: all")
    severities: list[Severity] = Field(default_factory=list, max_length=3, description="级别（空：全部）/ severities")
    districts: list[District] = Field(default_factory=list, max_length=20,
                                      description="区（空：可见的全部）/ districts; empty: all you may see")

    @field_validator("url")
    @classmethod
    def _https_in_production(cls, url: HttpUrl) -> HttpUrl:
        if url.scheme != "https" and get_settings().env == "production":
            raise ValueError("生产环境只接受 https 地址 / only https URLs in production")
        return url


class PauseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="暂停理由 / why it is paused")


class SubscriptionView(BaseModel):
    subscription_id: UUID
    url: str
    secret_fingerprint: str = Field(description="密钥指纹 / the secret's fingerprint (the secret is never shown)")
    owner: str
    rules: list[str]
    severities: list[str]
    districts: list[str]
    state: Literal["active", "paused"]
    paused_reason: str | None
    consecutive_failures: int
    cursor: int = Field(description="已处理到的位置 / last position dealt with")
    next_attempt_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, row) -> SubscriptionView:
        return cls.model_validate({k: row[k] for k in cls.model_fields})


class DeliveryView(BaseModel):
    id: int
    position: int = Field(description="预警事件位置 / the alert event's position")
    event_id: UUID = Field(description="事件编号（= ce-id）/ the event id, sent as ce-id")
    attempt: int = Field(description="该事件第几次尝试 / attempt number for this event")
    attempted_at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryPage(BaseModel):
    items: list[DeliveryView]
    next_before: int | None = Field(description="下一页参数 before / pass as `before` for the next page")

    @classmethod
    def of(cls, rows, limit: int) -> DeliveryPage:
        items = [DeliveryView.model_validate(dict(r)) for r in rows]
        return cls(items=items, next_before=items[-1].id if len(items) == limit else None)
