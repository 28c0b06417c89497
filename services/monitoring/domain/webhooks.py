"""Webhooks, the rules without IO: what a subscription receives, how a delivery is signed,
and how long to wait before trying again.

A receiver checks ``X-Xingcun-Signature: sha256=<hex>``, the HMAC-SHA256 with the
subscription's secret over ``<X-Xingcun-Timestamp>.<body>`` (the timestamp in whole Unix
seconds, signed with the body so an old delivery cannot be replayed later with a fresh
timestamp), refuses a timestamp too far from its clock, and de-duplicates on ``ce-id``
(the alert event's id): delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass, field

from services.monitoring.domain.access import AlertScope

SIGNATURE_HEADER = "X-Xingcun-Signature"
TIMESTAMP_HEADER = "X-Xingcun-Timestamp"
# The window a receiver should accept a timestamp in (documented for receivers; 5 minutes
# as Stripe and Slack do).
REPLAY_WINDOW_SECONDS = 300
MIN_SECRET = 16  # characters: shorter secrets are refused (a guessable HMAC key signs nothing)
MAX_SECRET = 256
EVENT_TYPE_PREFIX = "cn.xingcun.monitoring."


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, header: str | None, *, now: int,
           window: int = REPLAY_WINDOW_SECONDS) -> bool:
    """What a receiver does (and the tests do): the signature matches and the timestamp is recent."""
    if header is None or abs(now - timestamp) > window:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def fingerprint(secret: str) -> str:
    """Shown in place of the secret: enough to tell two secrets apart, nothing to sign with."""
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


def event_type(alert_event_type: str, version: int = 1) -> str:
    """The CloudEvents ``type`` of an alert event, e.g. ``cn.xingcun.monitoring.AlertRaised.v1``."""
    return f"{EVENT_TYPE_PREFIX}{alert_event_type}.v{version}"


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (the AWS architecture blog's "full jitter"):
    attempt n waits a random time in [0, min(cap, base·2^(n-1))], so receivers that failed
    together do not retry together; never less than ``floor``."""

    base: float = 1.0
    cap: float = 300.0
    floor: float = 0.0

    def delay(self, failures: int, rand: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(failures - 1, 0))
        return max(self.floor, (rand or random).uniform(0, ceiling))


@dataclass(frozen=True)
class Filters:
    """What a subscription asks for; empty means any. The owner's scope bounds it anyway."""

    rules: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()

    def match(self, rule_id: str, severity: str, district: str | None) -> bool:
        return ((not self.rules or rule_id in self.rules)
                and (not self.severities or severity in self.severities)
                and (not self.districts or district in self.districts))


@dataclass(frozen=True)
class Subscriber:
    """A subscription as the dispatcher sees it: its filters within its owner's scope."""

    filters: Filters
    scope: AlertScope
    extra: dict = field(default_factory=dict)

    def wants(self, entry: dict) -> bool:
        return (self.scope.sees(entry["district"], entry["village_code"], entry["team_id"])
                and self.filters.match(entry["rule_id"], entry["severity"], entry["district"]))


def districts_outside(scope: AlertScope, districts: tuple[str, ...]) -> list[str]:
    """Districts a subscription asks for that its owner may not see (a district official
    asking for another district, a unit one where none of its villages lies): refused when it
    is made, rather than silently empty. A village code begins with its district's code."""
    if scope.city:
        return []
    if scope.villages is not None:  # a unit, a first secretary: the districts of their villages
        return [d for d in districts if not any(v.startswith(d) for v in scope.villages)]
    return [d for d in districts if d != scope.district]
