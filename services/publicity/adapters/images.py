"""Report images' bytes, kept in publicity's own table (``media.images``, in ``adapters/migrations/0001_publicity.sql``)."""

from __future__ import annotations

import asyncpg


class PgImages:
    """The image table over one command's connection: ``uow.adapter(PgImages)`` in a handler
    (its in-memory twin is ``adapters/memory.py``)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def store(self, sha256: str, content_type: str, content: bytes) -> bool:
        """Keep an image under its hash; False if it was there already."""
        return bool(await self.conn.fetchval(
            """insert into media.images (sha256, content_type, size, content) values ($1, $2, $3, $4)
               on conflict (sha256) do nothing returning true""",
            sha256, content_type, len(content), content,
        ))

    async def uploaded(self, hashes: list[str]) -> set[str]:
        """Which of ``hashes`` are kept."""
        return {r["sha256"] for r in await self.conn.fetch(
            "select sha256 from media.images where sha256 = any($1::text[])", hashes)}
