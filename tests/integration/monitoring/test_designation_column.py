"""A village's designation is kept as spells only: ``monitoring.villages.designated`` is no
longer written, and the schema still takes the release before's writes of it, as it must
while both releases run during a rollout (the column is dropped a release later)."""

from __future__ import annotations

from datetime import date

from services.monitoring.adapters import conditions

# What the release before runs on every registration, designation and revocation.
RELEASE_BEFORE = """insert into monitoring.villages values ($1, $2, coalesce($3, false))
                    on conflict (code) do update set district = excluded.district,
                        designated = coalesce($3, monitoring.villages.designated)"""


async def test_a_designation_and_its_revocation_are_spells_not_a_flag(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 3))
    await m.deliver("registry", "DesignationRevoked", {"code": village, "district": village[:6], "run_id": None,
                                                       "reason": "达标出列", "reason_code": "graduated"},
                    f"village-{village}", date(2022, 5, 1))
    row = await m.fetchrow("select * from monitoring.villages where code = $1", village)
    assert row["district"] == village[:6] and row["designated"] is None
    spells = await m.fetch('select start, "end" from monitoring.designation_spells where village_code = $1', village)
    assert [(s["start"], s["end"]) for s in spells] == [(date(2022, 1, 3), date(2022, 5, 1))]


async def test_the_release_before_still_writes_the_column_during_a_rollout(monitoring):
    code = "120119999001"
    async with monitoring.pool.acquire() as conn:
        await conn.execute(RELEASE_BEFORE, code, "120119", None)  # registered
        await conn.execute(RELEASE_BEFORE, code, "120119", True)  # designated
        await conditions.set_village(conn, code, "120119")  # this release, registering it again
    row = await monitoring.fetchrow("select * from monitoring.villages where code = $1", code)
    assert (row["district"], row["designated"]) == ("120119", True)
