"""Sealing personal data (shared/privacy): round trip, binding to the person, erasure, and the
upcasters that let events recorded in clear by version 1 be read the one way."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.audit import PersonalDataErased
from shared.eventstore import CATALOGUE
from shared.eventstore.errors import Conflict
from shared.privacy.cipher import Opener, Sealer, new_data_key, seal
from shared.privacy.sealed import ERASED, Sealed

from services.registry.domain.cadres import Cadre, DecideLeave, RecordInsurance, RegisterCadre, RequestLeave


def test_a_sealed_value_opens_with_its_key_only():
    key = new_data_key()
    sealed = seal(key, "cadre-c1", "张三")
    assert "张三" not in sealed.model_dump_json() and sealed.alg == "A256GCM"
    assert Opener({"cadre-c1": key})(sealed) == "张三"
    assert seal(key, "cadre-c1", "张三").data != sealed.data  # a fresh nonce each time
    assert Opener({"cadre-c1": new_data_key()})(sealed) == ERASED  # another key: never a guess


def test_a_value_cannot_be_passed_off_as_another_persons():
    key = new_data_key()
    moved = seal(key, "cadre-c1", "张三").model_copy(update={"key": "cadre-c2"})
    assert Opener({"cadre-c2": key})(moved) == ERASED


def test_without_the_key_a_value_reads_as_erased():
    sealed = seal(new_data_key(), "cadre-c1", "张三")
    assert Opener({"cadre-c1": None})(sealed) == ERASED
    assert Opener({})(sealed) == ERASED
    assert Opener({})(None) is None


@pytest.mark.parametrize(("event_type", "v1", "fields"), [
    ("CadreRegistered", {"cadre_id": "c1", "unit_id": "u1", "name": "张三", "title": "科长"}, ("name", "title")),
    ("InsuranceRecorded", {"cadre_id": "c1", "policy_no": "P-1", "valid_from": "2021-01-01",
                           "valid_to": "2021-12-31"}, ("policy_no",)),
    ("LeaveRequested", {"leave_id": "l1", "cadre_id": "c1", "team_id": None, "start": "2021-01-01",
                        "end": "2021-01-02", "days": 2, "reason": "探亲"}, ("reason",)),
    ("LeaveRejected", {"leave_id": "l1", "cadre_id": "c1", "reason": "工作需要"}, ("reason",)),
])
def test_version_1_events_upcast_to_sealed_values_that_an_erasure_also_hides(event_type, v1, fields):
    event = CATALOGUE.decode(event_type, 1, v1)
    assert type(event).version == 2
    for field in fields:
        value = getattr(event, field)
        assert isinstance(value, Sealed) and value.key == "cadre-c1" and value.alg == "none"
        assert Opener({"cadre-c1": new_data_key()})(value) == v1[field]
        assert Opener({"cadre-c1": None})(value) == ERASED


def test_the_cadre_records_only_sealed_values_and_nothing_personal_once_erased():
    seal_c1 = Sealer("cadre-c1", new_data_key())
    cadre = Cadre("c1")
    cadre.register(RegisterCadre(cadre_id="c1", unit_id="u1", name="李四", title="副处长"), seal_c1)
    cadre.insure(RecordInsurance(policy_no="P-9", valid_from=date(2021, 1, 1), valid_to=date(2021, 12, 31)), seal_c1)
    cadre.request_leave(RequestLeave(leave_id="l1", start=date(2021, 3, 1), end=date(2021, 3, 2), reason="探亲"),
                        None, 10, seal_c1)
    cadre.decide_leave("l1", DecideLeave(approve=False, reason="工作需要"), None, 10, seal_c1)
    text = " ".join(e.model_dump_json() for e in cadre.pending)
    assert not [s for s in ("李四", "副处长", "P-9", "探亲", "工作需要") if s in text]

    erased = Cadre.rehydrate("c1", [*cadre.pending, PersonalDataErased(subject="cadre-c1")])
    assert erased.erased
    with pytest.raises(Conflict):
        erased.insure(RecordInsurance(policy_no="P-10", valid_from=date(2022, 1, 1), valid_to=date(2022, 12, 31)),
                      seal_c1)
    with pytest.raises(Conflict):
        erased.request_leave(RequestLeave(leave_id="l2", start=date(2021, 4, 1), end=date(2021, 4, 1), reason="x"),
                             None, 10, seal_c1)
