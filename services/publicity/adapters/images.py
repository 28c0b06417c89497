"""Report images' bytes, kept in publicity's own table (``media.images``, in ``adapters/migrations/0001_publicity.sql``)."""

from __future__ import annotations

import asyncpg


async def store_image(conn: asyncpg.Connection, sha256: str, content_type: str, content: bytes) -> bool:
    """Keep an image under its hash; False if it was there already."""
    return bool(await conn.fetchval(
        """insert into media.images (sha256, content_type, size, content) values ($1, $2, $3, $4)
           on conflict (sha256) do nothing returning true""",
        sha256, content_type, len(content), content,
    ))
