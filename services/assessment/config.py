"""The assessment service's parameters, from the environment (prefix ``XINGCUN_ASSESSMENT_``).

The factor that flags an income report is written into the flag's reason in the event,
so history never depends on today's configuration.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AssessmentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINGCUN_ASSESSMENT_", extra="ignore")

    income_jump_factor: Decimal = Field(
        Decimal(3), gt=1, description="收入较上年变动超过此倍数须附说明并标记复核 / a change beyond this factor "
                                      "against last year needs a note and is flagged")
    max_evidence_bytes: int = Field(10 * 1024 * 1024, description="单个佐证文件大小上限 / largest evidence file")
    max_report_upload_bytes: int = Field(
        32 * 1024 * 1024, description="一次填报的全部佐证文件合计上限 / all evidence files of one report together")
    facts_wait_seconds: float = Field(10.0, ge=0, description="计算前等待本服务事件入读模型的最长时间 / how long a "
                                                             "computation waits for the service's own events to be projected")


@lru_cache
def assessment_settings() -> AssessmentSettings:
    return AssessmentSettings()
