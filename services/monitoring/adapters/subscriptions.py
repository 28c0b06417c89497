"""The subscriptions table and its delivery log (``adapters/migrations/0001_monitoring.sql``).

The secret is sealed under the subscription's own data key (``shared.privacy``): the table
holds ciphertext, reads show its fingerprint, and deleting the key makes it unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
import orjson

from shared.identity import Principal, Role
from shared.privacy.keys import opener, sealer
from shared.privacy.sealed import Sealed

from services.monitoring.adapters.alert_log import last_position
from services.monitoring.domain.webhooks import Filters, fingerprint

VIEW = """subscription_id, url, secret_fingerprint, owner, owner_role, owner_district, owner_unit, owner_team,
          rules, severities, districts, state, paused_reason, pauses, consecutive_failures, cursor,
          next_attempt_at, created_at"""


def key_of(subscription_id: UUID | str) -> str:
    return f"subscription-{subscription_id}"


@dataclass(frozen=True)
class NewSubscription:
    url: str
    secret: str
    filters: Filters


def owner_of(row: asyncpg.Record | dict) -> Principal:
    """The owner's claims as they were when the subscription was made (its scope's source)."""
    return Principal(subject=row["owner"].split(":", 1)[-1], role=Role(row["owner_role"]),
                     district=row["owner_district"], unit=row["owner_unit"], team=row["owner_team"])


async def create(conn: asyncpg.Connection, new: NewSubscription, owner: Principal) -> asyncpg.Record:
    sid = uuid4()
    async with conn.transaction():
        sealed = (await sealer(conn, key_of(sid)))(new.secret)
        # Only what is logged after now: a new subscriber is not sent the whole history.
        cursor = await last_position(conn)
        return await conn.fetchrow(
            f"""insert into monitoring.subscriptions (subscription_id, url, secret, secret_fingerprint, owner,
                    owner_role, owner_district, owner_unit, owner_team, rules, severities, districts, cursor)
                values ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                returning {VIEW}""",
            sid, new.url, sealed.model_dump_json(), fingerprint(new.secret), owner.actor, owner.role.value,
            owner.district, owner.unit, owner.team, list(new.filters.rules), list(new.filters.severities),
            list(new.filters.districts), cursor)


def _visible(principal: Principal) -> tuple[str, list]:
    """The city office sees every subscription, anyone else their own."""
    if principal.role is Role.city_office:
        return "true", []
    return "owner = $1", [principal.actor]


async def listing(conn: asyncpg.Connection, principal: Principal) -> list[asyncpg.Record]:
    where, args = _visible(principal)
    return await conn.fetch(f"select {VIEW} from monitoring.subscriptions where {where} order by created_at", *args)


async def get(conn: asyncpg.Connection, principal: Principal, subscription_id: UUID) -> asyncpg.Record | None:
    where, args = _visible(principal)
    return await conn.fetchrow(
        f"select {VIEW} from monitoring.subscriptions where subscription_id = ${len(args) + 1} and {where}",
        *args, subscription_id)


async def set_state(conn: asyncpg.Connection, subscription_id: UUID, *, paused: bool, reason: str | None) -> asyncpg.Record:
    """Pause (a new pause episode) or resume (failures forgotten, due at once)."""
    if paused:
        sql = """update monitoring.subscriptions set state = 'paused', paused_reason = $2, pauses = pauses + 1
                 where subscription_id = $1 and state = 'active' returning subscription_id"""
    else:
        sql = """update monitoring.subscriptions set state = 'active', paused_reason = null, consecutive_failures = 0,
                     next_attempt_at = now()
                 where subscription_id = $1 and state = 'paused' returning subscription_id"""
    await conn.fetchrow(sql, subscription_id, *([reason] if paused else []))
    return await conn.fetchrow(f"select {VIEW} from monitoring.subscriptions where subscription_id = $1",
                               subscription_id)


async def secret_of(conn: asyncpg.Connection, row: asyncpg.Record | dict) -> str | None:
    """The secret in clear, to sign with; None once its key is destroyed."""
    sealed = Sealed.model_validate(orjson.loads(row["secret"]))
    keys = await opener(conn, [sealed.key])
    return keys(sealed) if keys.keys.get(sealed.key) is not None else None


async def deliveries(conn: asyncpg.Connection, subscription_id: UUID, *, before: int | None,
                     limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """select id, position, event_id, attempt, attempted_at, ok, status_code, error, duration_ms
           from monitoring.deliveries where subscription_id = $1 and ($2::bigint is null or id < $2)
           order by id desc limit $3""", subscription_id, before, limit)


async def record_attempt(conn: asyncpg.Connection, subscription_id: UUID, entry: dict, attempt: int,
                         attempted_at: datetime, ok: bool, status_code: int | None, error: str | None,
                         duration_ms: int) -> None:
    await conn.execute(
        """insert into monitoring.deliveries (subscription_id, position, event_id, attempt, attempted_at, ok,
               status_code, error, duration_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        subscription_id, entry["position"], UUID(entry["event_id"]), attempt, attempted_at, ok, status_code,
        error, duration_ms)
