"""Granting the ACL table (shared/messaging/acls.py) on a broker, as the super user.

aiokafka has no ACL calls; confluent-kafka's AdminClient (librdkafka) has them. Its calls
block, so the async callers run them in a thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from shared.config import Settings
from shared.messaging.acls import Grant, acl_table
from shared.messaging.credentials import confluent_config

TIMEOUT = 15.0
_RESOURCE = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP}
_PATTERN = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}


def _fields(grant: Grant) -> tuple:
    return (_RESOURCE[grant.resource], grant.name, _PATTERN[grant.pattern], f"User:{grant.principal}", "*",
            AclOperation[grant.operation.upper()], AclPermissionType.ALLOW)


def binding(grant: Grant) -> AclBinding:
    return AclBinding(*_fields(grant))


def _admin(settings: Settings) -> AdminClient:
    return AdminClient(confluent_config(settings))


def create_grants(settings: Settings, grants: Iterable[Grant]) -> int:
    """Create the bindings (creating one that exists changes nothing); returns how many."""
    bindings = [binding(g) for g in grants]
    if not bindings:
        return 0
    admin = _admin(settings)  # held until the futures resolve: a collected client cancels them
    for future in admin.create_acls(bindings, request_timeout=TIMEOUT).values():
        future.result()
    return len(bindings)


def delete_grants(settings: Settings, grants: Iterable[Grant]) -> int:
    """Remove exactly these bindings (one that is not there is no error); returns how many went."""
    filters = [AclBindingFilter(*_fields(g)) for g in grants]
    if not filters:
        return 0
    admin = _admin(settings)
    return sum(len(future.result()) for future in admin.delete_acls(filters, request_timeout=TIMEOUT).values())


def apply_acls(settings: Settings, prefix: str | None = None) -> int:
    """The whole table for the topics of ``prefix`` (default: the settings' topic prefix)."""
    return create_grants(settings, acl_table(settings.topic_prefix if prefix is None else prefix))


def granted(settings: Settings, principal: str | None = None) -> list[AclBinding]:
    """The bindings on the broker, of one principal or of all."""
    query = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY,
                             f"User:{principal}" if principal else None, None, AclOperation.ANY,
                             AclPermissionType.ANY)
    admin = _admin(settings)
    return list(admin.describe_acls(query, request_timeout=TIMEOUT).result())
