"""佐证文件 / evidence files, stored by their SHA-256 in the command's transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


async def store(conn: asyncpg.Connection, files: list[EvidenceFile]) -> list[str]:
    await conn.executemany(
        """insert into assessment.evidence (sha256, filename, media_type, size_bytes, content)
           values ($1, $2, $3, $4, $5) on conflict (sha256) do nothing""",
        [(f.sha256, f.filename, f.media_type, len(f.content), f.content) for f in files])
    return [f.sha256 for f in files]


async def uses(conn: asyncpg.Connection, sha256: str) -> list[asyncpg.Record]:
    """The villages and districts a file was reported for (``af.evidence_uses``, projected from
    ``MilestoneReported``: known once the worker has applied the report)."""
    return await conn.fetch(
        """select m.village_code, m.district
           from af.evidence_uses u join af.milestones m using (project_id, milestone_id) where u.sha256 = $1""",
        sha256)


async def fetch(conn: asyncpg.Connection, sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "select sha256, filename, media_type, size_bytes, content from assessment.evidence where sha256 = $1", sha256)


class PgEvidence:
    """The evidence files over one command's connection: ``uow.adapter(PgEvidence)`` in a
    handler (``adapters/memory.py`` has its in-memory twin)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def store(self, files: list[EvidenceFile]) -> list[str]:
        return await store(self.conn, files)

    async def fetch(self, sha256: str) -> asyncpg.Record | None:
        return await fetch(self.conn, sha256)
