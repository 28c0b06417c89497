"""Business time is not the caller's to choose (issue 18, item 4).

``X-Occurred-At`` states when a recorded fact happened. Every caller may state a time within
the last ``Settings.backdate_window_days`` (a check-in sheet sent a few days late); further
back only the roles in ``BACKDATERS`` may go — the leading group office (historic imports,
corrections) and finance officers (a payment made before it was entered) — and only with
``X-Backdate-Reason``, which the store records beside the command's events
(``es.backdated``, by correlation id). Never in the future (beyond the clock skew), never
before the programme began. ``recorded_at`` is always the server's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.dates import BEIJING
from shared.eventstore.errors import DomainError, Forbidden
from shared.http.auth import Principal, Role

PROGRAMME_START = datetime(2021, 1, 1, tzinfo=BEIJING)  # 天津市2021—2024年扶持经济薄弱村
BACKDATERS = frozenset({Role.city_office, Role.finance_officer})
MAX_REASON = 500


def check_business_time(principal: Principal, occurred_at: datetime, reason: str | None, *, now: datetime,
                        window_days: int, skew_seconds: int) -> str | None:
    """The back-dating reason to record (None when none is needed), or a refusal."""
    if occurred_at > now + timedelta(seconds=skew_seconds):
        raise DomainError("业务发生时间不能在将来 / X-Occurred-At may not be in the future",
                          field="X-Occurred-At", location="header", now=now.isoformat())
    if occurred_at < PROGRAMME_START:
        raise DomainError("业务发生时间早于项目开始（2021-01-01）/ X-Occurred-At is before the programme began "
                          "(2021-01-01, Beijing)", field="X-Occurred-At", location="header")
    if occurred_at >= now - timedelta(days=window_days):
        return None
    if principal.role not in BACKDATERS:
        raise Forbidden(f"只能补记 {window_days} 天内的事项 / role {principal.role.value} may state a business time "
                        f"at most {window_days} days back", field="X-Occurred-At", location="header",
                        window_days=window_days)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise DomainError(f"理由最多 {MAX_REASON} 字 / X-Backdate-Reason: at most {MAX_REASON} characters, no NUL",
                          field="X-Backdate-Reason", location="header")
    if not reason:
        raise DomainError(f"补记 {window_days} 天以前的事项须说明理由 / back-dating beyond {window_days} days needs "
                          f"X-Backdate-Reason", field="X-Backdate-Reason", location="header")
    return reason


def server_now() -> datetime:
    return datetime.now(UTC)
