"""One suite for both implementations of the data key table: ``PgDataKeys`` over
``privacy.data_keys`` and the in-memory twin the handlers' unit tests are given
(``shared/privacy/memory.py``). The same calls get the same answers and the same refusals."""

from __future__ import annotations

import pytest

from shared.migrations import EVENT_STORE, PRIVACY, Chain
from shared.privacy.keys import PersonErased, PgDataKeys
from shared.privacy.memory import InMemoryDataKeys
from shared.privacy.sealed import ERASED
from tests.support.contract import module_database, over_both


pool = module_database("data_keys", Chain("keys", (EVENT_STORE, PRIVACY)))


keys = over_both(InMemoryDataKeys, PgDataKeys)


async def test_a_key_is_made_once_and_opens_what_it_sealed(keys):
    sealed = (await keys.sealer("cadre-C-1", field="name"))("张三")
    again = (await keys.sealer("cadre-C-1"))("李四")
    opener = await keys.opener(["cadre-C-1", "cadre-C-2"])
    assert opener(sealed) == "张三" and opener(again) == "李四"
    assert (await keys.opener([])).keys == {}
    other = (await keys.sealer("cadre-C-2"))("王五")
    assert (await keys.opener(["cadre-C-1"]))(other) != "王五"  # not opened with another person's key


async def test_an_erased_person_opens_as_erased_and_is_sealed_no_more(keys):
    sealed = (await keys.sealer("cadre-C-1"))("张三")
    assert await keys.erase("cadre-C-1") is True
    assert await keys.erase("cadre-C-1") is False
    assert (await keys.opener(["cadre-C-1"]))(sealed) == ERASED
    with pytest.raises(PersonErased) as refused:
        await keys.sealer("cadre-C-1", field="reason")
    assert refused.value.field == "reason"
    assert await keys.erase("never-seen") is False
    with pytest.raises(PersonErased):
        await keys.sealer("never-seen")
