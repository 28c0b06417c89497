"""The in-memory twin of ``PgDataKeys`` for the handlers' unit tests
(``InMemoryUnitOfWork.provide(PgDataKeys, InMemoryDataKeys())``): a key a person, created on
first use, ``None`` once erased — the same answers and refusals as ``privacy.data_keys``
(tests/integration/foundation/test_data_keys.py runs one suite over both)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.privacy.cipher import Opener, Sealer, new_data_key
from shared.privacy.keys import PersonErased


class InMemoryDataKeys:
    def __init__(self) -> None:
        self.keys: dict[str, bytes | None] = {}  # subject → data key, None when erased

    async def sealer(self, subject: str, *, field: str | None = None) -> Sealer:
        key = self.keys.setdefault(subject, new_data_key())
        if key is None:
            raise PersonErased(subject, field)
        return Sealer(subject, key)

    async def opener(self, subjects: Iterable[str]) -> Opener:
        return Opener({s: self.keys.get(s) for s in sorted(set(subjects))})

    async def erase(self, subject: str) -> bool:
        live = self.keys.get(subject) is not None
        self.keys[subject] = None
        return live
