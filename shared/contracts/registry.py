"""Events published by the registry service on ``registry.events``.

Consumed by funding (designations), assessment (villages, teams, presence) and
publicity (everything). Money in integer fen. Personal data of cadres (names, titles,
policy numbers, leave and rejection reasons) is ``Sealed``: encrypted with the cadre's own
data key, which only the registry holds (``shared.privacy``). Consumers see ciphertext and
the pseudonymous ``cadre_id``; the registry's API opens it for the roles allowed to read it,
and once the key is erased nobody can. Events of version 1 recorded these fields in clear;
their upcasters wrap them as ``Sealed`` with ``alg="none"``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore import DomainEvent, upcaster
from shared.privacy.sealed import Sealed
from shared.reference.places import VillageType

SERVICE = "registry"
IncomeYear = Literal["2018", "2019", "2020"]
UnitLevel = Literal["city", "district"]


class VillageRegistered(DomainEvent, type="VillageRegistered", version=1, service=SERVICE):
    """A village entered the programme's register (行政村登记). Stream ``village-<code>``."""

    code: str = Field(description="村代码 / 12-digit village code")
    name: str = Field(description="村名 / village name")
    district: str = Field(description="区代码 / district code")
    town: str = Field(description="镇/街 / town or subdistrict")
    village_type: VillageType = Field(description="村类型 / village type")
    income_fen: dict[IncomeYear, int] = Field(
        description="2018–2020 年村集体经营性收入（分）/ collective operating income by year, in fen"
    )
    needs: list[str] = Field(
        default_factory=list,
        description="村的扶持需求（职能优势词表）/ what the village needs, in the strengths vocabulary",
    )


class VillageIncomeCorrected(DomainEvent, type="VillageIncomeCorrected", version=1, service=SERVICE):
    """A baseline income figure was corrected (更正), with the reason and who did it."""

    code: str
    district: str
    year: IncomeYear
    income_fen: int
    previous_fen: int
    reason: str


class VillageAttributes(BaseModel):
    model_config = ConfigDict(frozen=True)

    town: str
    village_type: VillageType
    needs: list[str]


class VillageAttributesChanged(DomainEvent, type="VillageAttributesChanged", version=1, service=SERVICE):
    """村属性调整（镇/街、村类型、扶持需求）with the reason. Carries all three as they are from now
    on (a consumer needs no earlier state), the ones before, and which changed."""

    code: str
    district: str
    town: str
    village_type: VillageType
    needs: list[str]
    changed: list[Literal["town", "village_type", "needs"]]
    previous: VillageAttributes
    reason: str


class RankedVillage(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    district: str
    income_fen: dict[IncomeYear, int]
    average_fen: int = Field(description="三年平均（分，向下取整）/ 3-year average in fen, floored")
    rank: int = Field(description="自下而上名次，1 为最低 / rank from the bottom, 1 = lowest")


# No event may exceed the event store's limit (256 KiB): at 8,000 villages the whole ranked list
# is 1.2 MB. A run's lists therefore travel in pages of this many villages.
RANKED_PAGE_SIZE = 500


class ScreeningRankedPage(DomainEvent, type="ScreeningRankedPage", version=1, service=SERVICE):
    """One page of a screening run's lists. Stream ``screening-<run_id>``; the run's pages come
    first, in order, and its ``ScreeningCompleted`` last, in the same transaction.

    ``ranked`` is the page's share of the ranked list (bottom first, ≤ 500 villages),
    ``designated`` the designated villages among them; ``added`` and ``removed`` are the
    page's share (≤ 500 each) of those lists, in order.
    """

    run_id: str
    page: int = Field(ge=1, description="页码，自 1 起 / page number, from 1")
    pages: int = Field(ge=1, description="本批次的页数 / how many pages the run has")
    ranked: list[RankedVillage] = Field(max_length=RANKED_PAGE_SIZE)
    designated: list[str] = Field(default_factory=list, max_length=RANKED_PAGE_SIZE)
    added: list[str] = Field(default_factory=list, max_length=RANKED_PAGE_SIZE)
    removed: list[str] = Field(default_factory=list, max_length=RANKED_PAGE_SIZE)


class ScreeningCompleted(DomainEvent, type="ScreeningCompleted", version=2, service=SERVICE):
    """A screening run (精准识别): everything needed to re-derive its designation.

    Stream ``screening-<run_id>``. Version 2: the lists (every village considered, bottom
    first; the designated; in and out against the superseded run) are in the ``pages``
    ``ScreeningRankedPage`` events before it, so that no event grows with the register; this
    event says how many there are. A run recorded as version 1 carried its lists inline:
    upcast, it has ``pages = 0`` and the lists here.
    """

    run_id: str
    rule: str = Field(description="e.g. bottom_n_by_average_2018_2020")
    rule_version: int
    tie_break: str = Field(description="e.g. average asc, then code asc")
    quota: int = Field(description="认定数量 N / how many are designated")
    cutoff_average_fen: int = Field(description="第 N 名的三年平均 / average of the N-th village")
    supersedes: str | None = None
    villages_ranked: int = Field(description="参与排序的村数 / villages ranked")
    designated_count: int = Field(description="认定数 / villages designated")
    added_count: int = Field(0, description="相对上次新增数 / in, compared with the superseded run")
    removed_count: int = Field(0, description="相对上次移出数 / out, compared with the superseded run")
    pages: int = Field(0, ge=0, description="之前的名单分页事件数 / ScreeningRankedPage events before this one")
    ranked: list[RankedVillage] = Field(default_factory=list, description="仅 v1 记录 / inline only in v1 runs")
    designated: list[str] = Field(default_factory=list, description="仅 v1 记录 / inline only in v1 runs")
    added: list[str] = Field(default_factory=list, description="仅 v1 记录 / inline only in v1 runs")
    removed: list[str] = Field(default_factory=list, description="仅 v1 记录 / inline only in v1 runs")


@upcaster("ScreeningCompleted", 1)
def _screening_v1_to_v2(p: dict) -> dict:
    """v1 carried the lists inline; v2 counts them and says there are no pages."""
    return p | {"villages_ranked": len(p.get("ranked") or ()), "designated_count": len(p.get("designated") or ()),
                "added_count": len(p.get("added") or ()), "removed_count": len(p.get("removed") or ()), "pages": 0}


class VillageDesignated(DomainEvent, type="VillageDesignated", version=1, service=SERVICE):
    """认定为经济薄弱村. Stream ``village-<code>``. Opens the village for programme allocations."""

    code: str
    district: str
    run_id: str
    rank: int
    average_fen: int


class TargetMet(BaseModel):
    """The income on which a graduation rests: the year the village met the target, and the figure."""

    model_config = ConfigDict(frozen=True)

    year: int = Field(description="达标年度 / the year the 200,000-yuan target was met")
    income_fen: int = Field(description="当年村集体经营性收入（分）/ that year's collective operating income, fen")


RevocationCause = Literal["rescreened", "graduated"]


class DesignationRevoked(DomainEvent, type="DesignationRevoked", version=1, service=SERVICE):
    """撤销认定: a superseding run left the village out (``rescreened``), or the city office
    graduated a village that met the income target (``graduated``, 出列)."""

    code: str
    district: str
    run_id: str | None = Field(description="撤销它的筛选批次；出列时为认定它的批次 / the run that revoked it; "
                                           "on graduation, the run that had designated it")
    reason: str = Field(description="理由（文字）/ why, in words")
    # Added within v1 (optional, with a default): every revocation recorded before it was a run's.
    reason_code: RevocationCause = Field(
        "rescreened", description="撤销原因 / why, as a code: rescreened (重新筛选移出) or graduated (达标出列)")
    met_target: TargetMet | None = Field(None, description="出列所依据的收入 / the income a graduation rests on")


# 公示期异议 / the designation's objection window. Stream ``objections-<run_id>``: opened for the
# run in force, objections lodged within it and answered, then the list confirmed — or changed by
# a new screening run that supersedes it. Who objected and on what grounds are personal: sealed
# under the objection's own data key (subject ``objection-<run_id>-<objection_id>``).


class ObjectionWindowOpened(DomainEvent, type="ObjectionWindowOpened", version=1, service=SERVICE):
    """公示期开始 / the designated list's objection window opened."""

    run_id: str
    opens_on: date = Field(description="公示首日 / first day objections are taken")
    closes_on: date = Field(description="公示末日（含）/ last day objections are taken")
    days: int = Field(description="公示天数（开启时的配置）/ the window's length as configured when opened")
    designated_count: int = Field(description="公示名单村数 / villages on the list")


class ObjectionEvent(DomainEvent):
    """What every event of an objection names first. Stream ``objections-<run_id>``."""

    run_id: str
    objection_id: str
    village_code: str
    district: str


class ObjectionLodged(ObjectionEvent, type="ObjectionLodged", version=1, service=SERVICE):
    """异议登记: an objection to the list about one village (listed or not)."""

    listed: bool = Field(description="该村是否在公示名单内 / whether the village is on the list")
    objector: Sealed = Field(description="异议人（密文）/ who objects, sealed")
    grounds: Sealed = Field(description="异议理由（密文）/ the grounds, sealed")
    lodged_on: date
    lodged_by: str = Field(description="登记账号（令牌主体）/ the account that recorded it; it may not answer it")


ObjectionOutcome = Literal["upheld", "dismissed"]


class ObjectionAnswered(ObjectionEvent, type="ObjectionAnswered", version=1, service=SERVICE):
    """异议答复: upheld (the list must change: a new run) or dismissed, with the reason."""

    outcome: ObjectionOutcome
    reason: Sealed = Field(description="答复理由（密文：可能引述异议人）/ the answer's reason, sealed: it may quote the objector")
    answered_on: date


class DesignationConfirmed(DomainEvent, type="DesignationConfirmed", version=1, service=SERVICE):
    """公示无异议（或异议均不成立），名单确认 / the window closed with no upheld objection: the list stands."""

    run_id: str
    closes_on: date
    confirmed_on: date
    designated_count: int
    objections: int = Field(description="异议数（均不成立）/ objections lodged, all dismissed")


class UnitRegistered(DomainEvent, type="UnitRegistered", version=1, service=SERVICE):
    """扶持单位. Stream ``unit-<unit_id>``."""

    unit_id: str
    name: str
    level: UnitLevel
    district: str | None = Field(None, description="区级单位所属区 / district of a district-level unit")
    strengths: list[str] = Field(description="职能优势 / functional strengths, from shared.reference.strengths")


class UnitAttributesChanged(DomainEvent, type="UnitAttributesChanged", version=1, service=SERVICE):
    """单位职能优势调整 / a unit's functional strengths edited, with the reason. Matching reads the new ones."""

    unit_id: str
    district: str | None
    strengths: list[str] = Field(description="调整后的职能优势 / the strengths from now on")
    previous_strengths: list[str]
    reason: str


class CadreRegistered(DomainEvent, type="CadreRegistered", version=2, service=SERVICE):
    """选派干部. Stream ``cadre-<cadre_id>``. Name and position sealed (v2; v1 had them in clear)."""

    cadre_id: str
    unit_id: str
    name: Sealed = Field(description="姓名（密文）/ name, sealed")
    title: Sealed = Field(description="职务（密文）/ position, sealed")


class CadreTrained(DomainEvent, type="CadreTrained", version=1, service=SERVICE):
    """集中培训完成 / completed the centralised training."""

    cadre_id: str
    course: str
    completed_on: date
    centralised: bool = Field(True, description="是否为集中培训 / the centralised training a first secretary needs")


class WorkTeamFormed(DomainEvent, type="WorkTeamFormed", version=1, service=SERVICE):
    """驻村工作队组建. Stream ``team-<team_id>``."""

    team_id: str
    lead_unit_id: str
    partner_unit_ids: list[str]
    member_ids: list[str]
    first_secretary_id: str
    district: str | None = Field(None, description="工作队服务的区 / district the team serves, once known")


class TeamMembersChanged(DomainEvent, type="TeamMembersChanged", version=1, service=SERVICE):
    team_id: str
    added: list[str]
    removed: list[str]
    first_secretary_id: str


class FirstSecretaryReplaced(DomainEvent, type="FirstSecretaryReplaced", version=1, service=SERVICE):
    """更换第一书记. Follows the ``TeamMembersChanged`` (same command) that states the membership;
    this records the decision: who, since when, why, and the new one's centralised training."""

    team_id: str
    district: str
    previous_id: str = Field(description="原第一书记 / the first secretary replaced")
    first_secretary_id: str = Field(description="新任第一书记 / the new first secretary")
    replaced_on: date = Field(description="更换日期 / day of the replacement")
    trained_on: date = Field(description="新任者完成集中培训的日期 / the new one's centralised training")
    reason: str


class TeamDissolved(DomainEvent, type="TeamDissolved", version=1, service=SERVICE):
    """工作队撤销. Stream ``team-<team_id>``; the ``TeamUnassigned`` of each village it served come
    first in the same append. Its members, its units' places (1–2 teams per unit) and its
    villages are free from this event on."""

    team_id: str
    district: str
    lead_unit_id: str
    partner_unit_ids: list[str]
    member_ids: list[str] = Field(description="离队的队员 / the members released")
    first_secretary_id: str
    villages: list[str] = Field(description="解除对接的村 / the villages it served until now")
    dissolved_on: date
    reason: str


class TeamRotated(DomainEvent, type="TeamRotated", version=1, service=SERVICE):
    """工作队轮换到其他村. Sums up the ``TeamUnassigned``/``TeamAssigned`` of the same append."""

    team_id: str
    district: str
    left: list[str] = Field(description="离开的村 / villages left")
    joined: list[str] = Field(description="新对接的村 / villages joined (to be entered again)")
    villages: list[str] = Field(description="轮换后服务的村 / the villages served after the rotation")
    reason: str


class ProposedPair(BaseModel):
    model_config = ConfigDict(frozen=True)

    team_id: str
    village_code: str
    district: str
    score: int = Field(description="契合度 / fit score")
    second_village: bool = Field(description="是否为该队第二个村 / the team's second village")
    reason: str = Field(description="对接理由 / why this pair")


class AssignmentProposed(DomainEvent, type="AssignmentProposed", version=1, service=SERVICE):
    """因需对接方案（求解器给出，待确认）/ a solver's proposal. Stream ``proposal-<proposal_id>``."""

    proposal_id: str
    districts: list[str]
    solver: str = Field(description="e.g. scipy.optimize.linear_sum_assignment")
    rule_version: int
    pairs: list[ProposedPair]
    unmatched_villages: list[str] = Field(default_factory=list, description="无队可派的村 / villages left without a team")
    idle_teams: list[str] = Field(default_factory=list, description="未分到村的队 / teams left without a village")


class ProposalPairsAccepted(DomainEvent, type="ProposalPairsAccepted", version=1, service=SERVICE):
    """官员确认方案中的若干对 / an official accepted some (or all) pairs of a proposal."""

    proposal_id: str
    pairs: list[tuple[str, str]] = Field(description="(team_id, village_code)")


class TeamAssigned(DomainEvent, type="TeamAssigned", version=1, service=SERVICE):
    """工作队对接村 (因需对接). Stream ``team-<team_id>``."""

    team_id: str
    lead_unit_id: str
    village_code: str
    district: str
    reason: str = Field(description="对接理由 / why this pair, e.g. the matching score's parts")
    proposal_id: str | None = None


class TeamUnassigned(DomainEvent, type="TeamUnassigned", version=1, service=SERVICE):
    team_id: str
    village_code: str
    district: str
    reason: str


class TeamEnteredVillage(DomainEvent, type="TeamEnteredVillage", version=1, service=SERVICE):
    """入村: only with a trained first secretary."""

    team_id: str
    village_code: str
    entered_on: date


class CadrePresenceLogged(DomainEvent, type="CadrePresenceLogged", version=1, service=SERVICE):
    """驻村打卡: a day in the village and which of the four togethers (同吃、同住、同学习、同劳动)."""

    cadre_id: str
    team_id: str
    village_code: str
    day: date
    togethers: list[Literal["eat", "live", "study", "work"]]


class LeaveEvent(DomainEvent):
    """What every event of a leave names first. Stream ``cadre-<cadre_id>``."""

    leave_id: str
    cadre_id: str


class LeavePeriod(LeaveEvent):
    """The leave's team and days, as requested."""

    team_id: str | None
    start: date
    end: date
    days: int


class LeaveRequested(LeavePeriod, type="LeaveRequested", version=2, service=SERVICE):
    """请假申请. Stream ``cadre-<cadre_id>``. The reason sealed (v2; v1 had it in clear)."""

    reason: Sealed = Field(description="事由（密文）/ reason, sealed")


class LeaveApproved(LeavePeriod, type="LeaveApproved", version=1, service=SERVICE):
    quota_days: int | None = Field(None, description="当年假期额度 / the annual quota it was approved against")


class LeaveRejected(LeaveEvent, type="LeaveRejected", version=2, service=SERVICE):
    """不批准请假. The reason sealed (v2; v1 had it in clear): it is about the cadre."""

    reason: Sealed = Field(description="不批准的理由（密文）/ why not, sealed")


class LeaveCancelled(LeavePeriod, type="LeaveCancelled", version=1, service=SERVICE):
    """撤销请假（开始之前）/ leave withdrawn before its first day; its days no longer count."""

    was: Literal["requested", "approved"] = Field(description="撤销前的状态 / its state before")
    reason: Sealed = Field(description="撤销理由（密文）/ why withdrawn, sealed: it is about the cadre")


class InsuranceRecorded(DomainEvent, type="InsuranceRecorded", version=2, service=SERVICE):
    """人身意外伤害保险. The policy number sealed (v2; v1 had it in clear)."""

    cadre_id: str
    policy_no: Sealed = Field(description="保单号（密文）/ policy number, sealed")
    valid_from: date
    valid_to: date


class AllowanceComputed(DomainEvent, type="AllowanceComputed", version=1, service=SERVICE):
    """生活补助 for one cadre and month, from the presence days."""

    cadre_id: str
    team_id: str | None
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    presence_days: int
    amount_fen: int
    daily_rate_fen: int | None = Field(None, description="日补助标准（分）/ the daily rate applied")


def _seal_v1(*fields: str):
    """v1 → v2: the person's fields, recorded in clear by v1, wrapped as ``Sealed`` (alg none)."""

    def step(payload: dict) -> dict:
        subject = f"cadre-{payload['cadre_id']}"
        return {**payload, **{f: Sealed.clear(subject, payload[f]).model_dump() for f in fields}}

    return step


upcaster("CadreRegistered", 1)(_seal_v1("name", "title"))
upcaster("InsuranceRecorded", 1)(_seal_v1("policy_no"))
upcaster("LeaveRequested", 1)(_seal_v1("reason"))
upcaster("LeaveRejected", 1)(_seal_v1("reason"))
