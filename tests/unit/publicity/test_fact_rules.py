"""Events become dated facts; each fact depends on its event alone; unknown types state nothing."""

from __future__ import annotations

from shared.contracts import registry as R
from shared.privacy.cipher import Sealer, new_data_key, seal

from services.publicity.projections.facts import Fact

from tests.unit.publicity.recorded import facts_of


def payload(event) -> dict:
    return event.model_dump(mode="json")


def test_a_designation_and_its_revocation_state_the_same_key():
    on = facts_of("VillageDesignated", payload(R.VillageDesignated(code="120119000001", district="120119",
                                                                   run_id="r1", rank=3, average_fen=5)))
    off = facts_of("DesignationRevoked", payload(R.DesignationRevoked(code="120119000001", district="120119",
                                                                      run_id="r2", reason="superseded")))
    assert (on[0].kind, on[0].key, on[0].value["designated"]) == ("designation", "120119000001", True)
    assert (off[0].kind, off[0].key, off[0].value["designated"]) == ("designation", "120119000001", False)


def test_team_changes_state_each_membership_and_the_secretary():
    facts = facts_of("TeamMembersChanged", payload(R.TeamMembersChanged(
        team_id="t1", added=["c3"], removed=["c1", "c2"], first_secretary_id="c2")))
    members = {f.key: f.value["active"] for f in facts if f.kind == "member"}
    # The new first secretary stays a member even if listed as removed.
    assert members == {"t1:c2": True, "t1:c3": True, "t1:c1": False}
    assert Fact("secretary", "t1", {"cadre_id": "c2"}) in facts


SEAL = Sealer("cadre-c1", new_data_key())


def test_a_cadre_is_kept_without_name_or_title():
    [fact] = facts_of("CadreRegistered", payload(R.CadreRegistered(cadre_id="c1", unit_id="u1", name=SEAL("张三"),
                                                                   title=SEAL("处长"))))
    assert fact.value == {"unit_id": "u1"} and "张三" not in str(fact) and "处长" not in str(fact)


def test_insurance_is_keyed_without_the_policy_number():
    # Version 1 carried the number in clear; upcast, it is sealed, and no fact keeps it either way.
    [fact] = facts_of("InsuranceRecorded", {"cadre_id": "c1", "policy_no": "P-123", "valid_from": "2021-01-01",
                                            "valid_to": "2021-12-31"}, version=1)
    assert "P-123" not in str(fact)


def test_only_the_centralised_training_counts():
    assert facts_of("CadreTrained", {"cadre_id": "c1", "course": "x", "completed_on": "2021-01-01",
                                     "centralised": False}) == []
    assert facts_of("CadreTrained", {"cadre_id": "c1", "course": "x", "completed_on": "2021-01-01"})[0].kind == "trained"


def test_unknown_types_and_newer_versions_state_nothing_and_a_district_comes_from_the_village():
    assert facts_of("SomethingNewer", {"anything": 1}) == []
    assert facts_of("TeamAssigned", {"team_id": "t1", "village_code": "120119000001", "anything": 1}, version=99) == []
    [fact] = facts_of("TeamEnteredVillage", {"team_id": "t1", "village_code": "120119000001",
                                             "entered_on": "2021-05-01"})
    assert fact.district == "120119"  # from the village code when the event has none


def test_every_event_that_ends_or_corrects_a_fact_states_one():
    """A later "no" can only override an earlier "yes" if the "no" is a fact at all."""
    from services.publicity.projections.facts.model import RULES

    ending = ["DesignationRevoked", "TeamUnassigned", "TeamMembersChanged", "CoverageEnded", "EligibilityRecorded",
              "DisbursementRejected", "DisbursementReversed", "AllocationAdjusted", "AllocationCancelled",
              "AppropriationAdjusted", "VillageIncomeCorrected", "MilestoneReturned", "LeaveRejected"]
    assert [t for t in ending if t not in RULES] == []


def test_a_rejected_leave_counts_no_days():
    [fact] = facts_of("LeaveRejected", payload(R.LeaveRejected(leave_id="l1", cadre_id="c1", reason=seal(new_data_key(), "cadre-c1", "忙"))))
    assert (fact.kind, fact.key, fact.value["days"]) == ("leave", "l1", 0)


def test_objections_state_their_run_and_outcome_and_never_the_person():
    sealed = Sealer("objection-r1-o1", new_data_key())
    lodged = facts_of("ObjectionLodged", payload(R.ObjectionLodged(
        run_id="r1", objection_id="o1", village_code="120119000001", district="120119", listed=True,
        objector=sealed("王某"), grounds=sealed("理由"), lodged_on="2021-03-03", lodged_by="official")))
    answered = facts_of("ObjectionAnswered", payload(R.ObjectionAnswered(
        run_id="r1", objection_id="o1", village_code="120119000001", district="120119", outcome="upheld",
        reason=sealed("属实"), answered_on="2021-03-04")))
    confirmed = facts_of("DesignationConfirmed", payload(R.DesignationConfirmed(
        run_id="r1", closes_on="2021-03-08", confirmed_on="2021-03-10", designated_count=2, objections=1)))
    assert [(f.kind, f.key, f.value["status"]) for f in lodged + answered] == [
        ("objection", "r1:o1", "open"), ("objection", "r1:o1", "upheld")]
    assert "objector" not in lodged[0].value and "lodged_by" not in lodged[0].value
    assert (confirmed[0].kind, confirmed[0].key) == ("designation_confirmed", "r1")
