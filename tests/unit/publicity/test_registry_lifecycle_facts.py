"""The facts the registry's lifecycle events state: each from its event alone."""

from __future__ import annotations

from datetime import date

from shared.privacy.cipher import new_data_key, seal
from shared.contracts import registry as R

from tests.unit.publicity.recorded import facts_of


def payload(event) -> dict:
    return event.model_dump(mode="json")


def test_a_revocation_says_why_and_an_old_one_reads_as_rescreened():
    graduated = facts_of("DesignationRevoked", payload(R.DesignationRevoked(
        code="120119000001", district="120119", run_id="r1", reason="达标", reason_code="graduated",
        met_target=R.TargetMet(year=2022, income_fen=20_000_000))))
    [fact] = graduated
    assert (fact.value["designated"], fact.value["reason_code"]) == (False, "graduated")
    assert fact.value["met_target"] == {"year": 2022, "income_fen": 20_000_000}
    # Recorded before reason_code existed: the payload has no such key.
    [old] = facts_of("DesignationRevoked", {"code": "120119000001", "district": "120119", "run_id": "r2",
                                            "reason": "superseded"})
    assert old.value["reason_code"] == "rescreened" and "met_target" not in old.value


def test_a_dissolved_team_ends_the_team_and_every_membership():
    facts = facts_of("TeamDissolved", payload(R.TeamDissolved(
        team_id="t1", district="120119", lead_unit_id="u1", partner_unit_ids=["u2"], member_ids=["c1", "c2"],
        first_secretary_id="c1", villages=["120119000001"], dissolved_on=date(2022, 6, 1), reason="撤销")))
    [team] = [f for f in facts if f.kind == "team"]
    assert team.key == "t1" and team.value["dissolved"] is True and team.value["partner_unit_ids"] == ["u2"]
    assert {f.key: f.value["active"] for f in facts if f.kind == "member"} == {"t1:c1": False, "t1:c2": False}


def test_village_attributes_are_their_own_fact_beside_the_registration():
    [fact] = facts_of("VillageAttributesChanged", payload(R.VillageAttributesChanged(
        code="120119000001", district="120119", town="新镇", village_type="tourism", needs=["finance"],
        changed=["town", "village_type"], previous=R.VillageAttributes(town="旧镇", village_type="agriculture",
                                                                      needs=["finance"]), reason="调整")))
    assert (fact.kind, fact.key, fact.village) == ("village_attributes", "120119000001", "120119000001")
    assert fact.value == {"town": "新镇", "village_type": "tourism", "needs": ["finance"]}


def test_a_cancelled_leave_counts_no_days():
    [fact] = facts_of("LeaveCancelled", payload(R.LeaveCancelled(
        leave_id="l1", cadre_id="c1", team_id="t1", start=date(2022, 4, 1), end=date(2022, 4, 4), days=4,
        was="approved", reason=seal(new_data_key(), "cadre-c", "工作需要"))))
    assert (fact.kind, fact.key, fact.value["days"], fact.value["team_id"]) == ("leave", "l1", 0, "t1")
