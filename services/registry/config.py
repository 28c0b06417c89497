"""The registry's programme parameters, from the environment (prefix ``XINGCUN_REGISTRY_``).

Each value that decides an outcome is also written into the event it decides (the quota
into ``LeaveApproved``, the rate into ``AllowanceComputed``), so history never depends
on today's configuration.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINGCUN_REGISTRY_", extra="ignore")

    designation_quota: int = Field(800, ge=1, description="认定数量 N / villages designated by a screening run")
    annual_leave_days: int = Field(10, ge=0, description="年休假额度（天）/ annual leave quota, days")
    allowance_daily_fen: int = Field(10_000, ge=0, description="驻村生活补助日标准（分）/ daily living allowance, fen")
    absence_alert_days: int = Field(7, ge=1, description="连续缺勤预警天数 / absence alert threshold, days")
    objection_window_days: int = Field(7, ge=1, le=60, description="认定名单公示（异议）期天数 / days the designated "
                                                                   "list's objection window lasts")
    max_import_bytes: int = Field(20 * 1024 * 1024, description="导入文件大小上限 / largest import file")
    # Check-ins in progress per API process (shared/http/weighted.py): a sheet that finds no room
    # waits at most presence_wait_seconds, then is answered 503 with Retry-After. Measured: memory
    # and the database's statement times follow the entries in flight, not the requests.
    presence_max_entries_in_flight: int = Field(4000, ge=1, description="每个进程同时处理的打卡条数上限 / check-ins "
                                                                        "in progress per API process")
    presence_wait_seconds: float = Field(5.0, ge=0, description="无余量时最多等待（秒）/ longest wait for room, s")
    # Monthly allowance computations in progress per API process: each holds a month's events and
    # answer for every cadre at once, so the process's memory follows the programme's size times the
    # computations in flight (at 3× Tianjin, 37 months sent 24 at a time took registry's API from
    # 201 to 309 MB). One that finds no room waits at most allowances_wait_seconds, then is
    # answered 503 with Retry-After.
    allowances_in_flight: int = Field(2, ge=1, description="每个进程同时计算的月度生活补助数上限 / monthly allowance "
                                                           "computations in progress per API process")
    allowances_wait_seconds: float = Field(30.0, ge=0, description="无余量时最多等待（秒）/ longest wait for room, s")


@lru_cache
def registry_settings() -> RegistrySettings:
    return RegistrySettings()
