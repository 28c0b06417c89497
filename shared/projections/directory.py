"""村名录 / a service's own copy of the village register, kept from ``registry.events``.

Funding and assessment check commands against it (is the village registered, is it
designated?) without ever calling the registry; the registry lists villages from it.
"""

from __future__ import annotations

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections.projection import Projection


class VillageDirectory(Projection):
    name = "village_directory"
    sources = ("registry",)
    tables = ("directory.villages",)
    handles = frozenset({"VillageRegistered", "VillageAttributesChanged", "VillageDesignated", "DesignationRevoked"})

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        if event.type == "VillageRegistered":
            p = event.payload
            await conn.execute(
                """insert into directory.villages (code, name, district, town, village_type, position)
                   values ($1, $2, $3, $4, $5, $6)""",
                p["code"], p["name"], p["district"], p["town"], p["village_type"], event.global_position,
            )
        elif event.type == "VillageAttributesChanged":
            p = event.payload
            await conn.execute(
                "update directory.villages set town = $2, village_type = $3, position = $4 where code = $1",
                p["code"], p["town"], p["village_type"], event.global_position,
            )
        elif event.type in ("VillageDesignated", "DesignationRevoked"):
            await conn.execute(
                "update directory.villages set designated = $2, position = $3 where code = $1",
                event.payload["code"], event.type == "VillageDesignated", event.global_position,
            )
